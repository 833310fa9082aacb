-- sizes_side_wait: size collection waits on a node's side connection while
-- the distributed deadlock check (every shard.deadlock_check_interval of a
-- wait) reads every node over its side connection.  The check must leave
-- the busy one alone: it used to send on it and close it, so the waiting
-- collection read a NULL result (the recovery worker, waiting on a hung
-- node, crashed with a segmentation fault; here the node's sizes were lost).
SET client_min_messages TO warning;
CREATE SCHEMA side_wait;
ALTER SEQUENCE shard.shard_id_seq RESTART 1950000;
CREATE TABLE side_wait.t (id int PRIMARY KEY, v int);
SELECT shard.create_distributed_table('side_wait.t', 'id', shard_count => 4);
INSERT INTO side_wait.t SELECT g, g FROM generate_series(1, 1000) g;
SELECT count(*) AS placements_on_worker_2 FROM shard.dist_placement p
JOIN shard.dist_shard s USING (shard_id) JOIN shard.dist_node n USING (node_id)
WHERE s.relid = 'side_wait.t'::regclass AND n.port = :worker_2_port;
SET shard.deadlock_check_interval = 100;

-- a session on worker 2 locks pg_locks, which the measuring query reads, for
-- two seconds; wait (deadline 30 s) until it holds the lock
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -p $WORKER_2_PORT -d regression -c "BEGIN; LOCK TABLE pg_catalog.pg_locks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT" > /dev/null 2>&1 &
\! for i in $(seq 300); do [ "$($PG_BINDIR/psql -X -At -h 127.0.0.1 -p $WORKER_2_PORT -d regression -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE 'BEGIN; LOCK TABLE%'")" = 1 ] && break; sleep 0.1; done

SELECT clock_timestamp() AS started \gset
SELECT shard.collect_sizes() AS nodes_reached;
SELECT clock_timestamp() - :'started' >= interval '1 second' AS waited_for_the_lock;
-- every placement of the table was measured, on both workers
SELECT count(*) AS placements_measured FROM shard.dist_placement p
JOIN shard.dist_shard s USING (shard_id)
JOIN shard.dist_placement_stats ps USING (placement_id)
WHERE s.relid = 'side_wait.t'::regclass AND ps.size_bytes > 0;
SELECT count(*) AS nodes_with_size FROM shard.dist_node_stats WHERE size_bytes IS NOT NULL;
RESET shard.deadlock_check_interval;
DROP SCHEMA side_wait CASCADE;
