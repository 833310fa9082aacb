-- sizes_node_down: the catalog views answer while a node is down, without
-- connecting to it: the stopped node's sizes are NULL (and so are those of
-- the tables with shards on it), the other node's stay.  A node that stays
-- unreachable is reported once; a first failure (a node still starting)
-- is not.
SET client_min_messages TO warning;
CREATE SCHEMA sizes_down;
SET search_path TO sizes_down, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1210000;
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g;
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);
ANALYZE t;
SELECT shard.collect_sizes() AS nodes_reached;
SELECT row_estimate, size_bytes > 0 AS has_size FROM shard.tables WHERE table_name = 't'::regclass;

\getenv test_dir SHARD_TEST_DIR
SELECT :'test_dir' || '/coordinator.log' AS coordinator_log \gset
SELECT size AS log_offset FROM pg_stat_file(:'coordinator_log') \gset
SELECT set_config('sizes_down.node', node_id::text, false)
  FROM shard.nodes WHERE port = :worker_2_port \gset
\! $NODE_CTL stop worker_2
-- the background worker notices by itself, and quietly: a node may just be
-- starting (nothing in the coordinator's log)
DO $$
DECLARE
	deadline timestamptz := clock_timestamp() + interval '120 s';
BEGIN
	WHILE (SELECT unreachable_since FROM shard.dist_node_stats
		   WHERE node_id = current_setting('sizes_down.node')::int) IS NULL LOOP
		IF clock_timestamp() > deadline THEN
			RAISE EXCEPTION 'the background worker did not notice the stopped node within 120 s';
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT count(*) AS warnings_logged
  FROM regexp_matches(pg_read_file(:'coordinator_log', :log_offset, 100000000), 'WARNING', 'g');
-- a first failure is only noted (no warning)
SELECT shard.collect_sizes() AS nodes_reached;
SELECT port, shard_count, size_bytes IS NULL AS size_null, sizes_at IS NULL AS time_null,
       unreachable_since IS NOT NULL AS unreachable
  FROM shard.nodes ORDER BY node_id;
SELECT port, count(*) AS shards, count(size_bytes) AS measured
  FROM shard.shards WHERE table_name = 't'::regclass GROUP BY port ORDER BY port;
SELECT row_estimate, size_bytes, sizes_at FROM shard.tables WHERE table_name = 't'::regclass;
-- after a minute unreachable it is reported, once (the lock keeps the
-- background worker's collection out meanwhile)
BEGIN;
LOCK shard.dist_placement_stats IN SHARE ROW EXCLUSIVE MODE;
UPDATE shard.dist_node_stats SET unreachable_since = unreachable_since - interval '2 minutes'
 WHERE node_id = (SELECT node_id FROM shard.nodes WHERE port = :worker_2_port);
\set VERBOSITY terse
SELECT shard.collect_sizes() AS nodes_reached;
SELECT shard.collect_sizes() AS nodes_reached;
\set VERBOSITY default
COMMIT;
SELECT unreachable_reported FROM shard.dist_node_stats
 WHERE node_id = (SELECT node_id FROM shard.nodes WHERE port = :worker_2_port);
-- back: a LOG says so, and the figures return (the locks, taken in the
-- order collect_sizes takes them, keep the background worker from
-- noticing it first)
BEGIN;
LOCK shard.dist_placement_stats IN SHARE ROW EXCLUSIVE MODE;
LOCK shard.dist_node_stats IN EXCLUSIVE MODE;
\! $NODE_CTL start worker_2
SET LOCAL client_min_messages TO log;
SELECT shard.collect_sizes() AS nodes_reached;
COMMIT;
SELECT port, size_bytes > 0 AS has_size, sizes_at IS NOT NULL AS has_time, unreachable_since
  FROM shard.nodes ORDER BY node_id;
SELECT row_estimate, size_bytes > 0 AS has_size FROM shard.tables WHERE table_name = 't'::regclass;
SELECT count(*) FROM t;
DROP SCHEMA sizes_down CASCADE;
