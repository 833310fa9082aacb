-- dba_views: what a DBA meets first.  The coordinator's shell of a
-- distributed or reference table keeps no storage after its rows moved;
-- the catalog views show row estimates and sizes collected from the nodes
-- (by shard.collect_sizes() and by the background worker on its own),
-- with the time they were taken.
SET client_min_messages TO warning;
CREATE SCHEMA dba;
SET search_path TO dba, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1200000;
CREATE TABLE items (id bigint PRIMARY KEY, name text, payload text);
CREATE INDEX items_name ON items (name);
INSERT INTO items SELECT g, 'item ' || g, repeat(md5(g::text), 100 + g % 3)
  FROM generate_series(1, 2000) g;
-- a few values big enough to go to TOAST
INSERT INTO items SELECT g, 'big ' || g, (SELECT string_agg(md5(i::text || g), '') FROM generate_series(1, 400) i)
  FROM generate_series(2001, 2010) g;
CREATE TABLE items_local AS SELECT * FROM items;
SELECT pg_relation_size('items') > 0 AS heap_before,
       pg_total_relation_size('items') > pg_relation_size('items') AS indexes_before;
SELECT shard.create_distributed_table('items', 'id', shard_count => 4);
-- the shell: heap and TOAST empty, every index (the TOAST one too) only
-- its metapage, in the same transaction
CREATE FUNCTION shell_storage(rel regclass) RETURNS TABLE (heap bigint, toast bigint, indexes bigint, empty_indexes bigint)
LANGUAGE sql AS $$
	SELECT pg_relation_size(rel),
	       (SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = rel),
	       count(*),
	       count(*) FILTER (WHERE pg_relation_size(i.indexrelid) = current_setting('block_size')::int)
	  FROM pg_index i
	 WHERE i.indrelid IN (rel, (SELECT reltoastrelid FROM pg_class WHERE oid = rel))
$$;
SELECT * FROM shell_storage('items');
-- the rows are all on the shards
SELECT count(*) FROM ((TABLE items EXCEPT ALL TABLE items_local) UNION ALL
                      (TABLE items_local EXCEPT ALL TABLE items)) d;
SELECT count(*) FROM items;
CREATE TABLE colors (id int PRIMARY KEY, name text);
INSERT INTO colors SELECT g, 'color ' || g FROM generate_series(1, 500) g;
SELECT shard.create_reference_table('colors');
SELECT * FROM shell_storage('colors');
SELECT count(*) FROM colors;
-- an aborted distribution keeps the table and its rows as they were
CREATE TABLE kept (id int PRIMARY KEY);
INSERT INTO kept SELECT generate_series(1, 300);
BEGIN;
SELECT shard.create_distributed_table('kept', 'id', shard_count => 2);
ROLLBACK;
SELECT count(*), pg_relation_size('kept') > 0 AS has_storage FROM kept;
DROP TABLE kept;

-- sizes on demand: exact row counts after ANALYZE (which runs on the shards)
ANALYZE items;
ANALYZE colors;
SELECT shard.collect_sizes() AS nodes_reached;
SELECT table_name, method, shard_count, row_estimate, size_bytes > 0 AS has_size,
       sizes_at IS NOT NULL AS has_time
  FROM shard.tables WHERE table_name IN ('items'::regclass, 'colors'::regclass) ORDER BY 1;
SELECT shard_id, node_id, row_estimate > 0 AS has_rows, size_bytes > 0 AS has_size,
       sizes_at IS NOT NULL AS has_time
  FROM shard.shards WHERE table_name = 'dba.items'::regclass ORDER BY shard_id;
-- the figures are what the nodes say: compare with each shard on its node
SELECT shard_name, size_bytes AS w1_size FROM shard.shards
 WHERE table_name = 'dba.items'::regclass AND port = :worker_1_port ORDER BY shard_id LIMIT 1 \gset
\c - - - :worker_1_port
SELECT pg_total_relation_size(:'shard_name') AS w1_actual \gset
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO dba, public;
SELECT :w1_size = :w1_actual AS size_matches_node;
-- a reference table counts its rows once, its bytes on every node
SELECT t.row_estimate = 500 AS rows_once,
       t.size_bytes = (SELECT sum(size_bytes) FROM shard.shards WHERE table_name = 'dba.colors'::regclass) AS bytes_all,
       (SELECT count(*) FROM shard.shards WHERE table_name = 'dba.colors'::regclass) AS copies
  FROM shard.tables t WHERE t.table_name = 'dba.colors'::regclass;
-- each node: its shard count and the total of its shards
SELECT n.node_id, n.shard_count = (SELECT count(*) FROM shard.placements p WHERE p.node_id = n.node_id) AS count_ok,
       n.size_bytes = (SELECT sum(size_bytes) FROM shard.shards s WHERE s.node_id = n.node_id) AS size_ok,
       n.sizes_at IS NOT NULL AS has_time, n.unreachable_since
  FROM shard.nodes n ORDER BY n.node_id;
-- the function is for DBAs only
CREATE ROLE dba_user;
SET ROLE dba_user;
SELECT shard.collect_sizes();
-- but everyone can read the views
SELECT count(*) > 0 AS visible FROM shard.shards WHERE size_bytes IS NOT NULL;
RESET ROLE;
DROP ROLE dba_user;

-- the background worker collects by itself: a new table gets its figures
-- within a few rounds (shard.recovery_interval) without collect_sizes()
CREATE TABLE later (id int PRIMARY KEY);
INSERT INTO later SELECT generate_series(1, 100);
SELECT shard.create_distributed_table('later', 'id', shard_count => 2);
DO $$
DECLARE
	deadline timestamptz := clock_timestamp() + interval '120 s';
BEGIN
	LOOP
		EXIT WHEN (SELECT sizes_at IS NOT NULL FROM shard.tables
				   WHERE table_name = 'dba.later'::regclass);
		IF clock_timestamp() > deadline THEN
			RAISE EXCEPTION 'the background worker did not collect sizes within 120 s';
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
END $$;
SELECT size_bytes > 0 AS has_size FROM shard.tables WHERE table_name = 'dba.later'::regclass;

-- dropped tables leave no figures behind after the next collection
DROP TABLE later;
SELECT shard.collect_sizes() AS nodes_reached;
SELECT count(*) AS orphans FROM shard.dist_placement_stats ps
 WHERE NOT EXISTS (SELECT 1 FROM shard.dist_placement p WHERE p.placement_id = ps.placement_id);
DROP SCHEMA dba CASCADE;
