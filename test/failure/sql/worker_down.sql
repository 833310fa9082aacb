-- worker_down: a stopped worker gives a clear error naming it, statements
-- that do not need it keep working, nothing is half-applied, and after a
-- restart the cached connection is replaced.
SET client_min_messages TO warning;
CREATE SCHEMA down;
SET search_path TO down, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1080000;
CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);
SELECT min(id) AS on_worker_1 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('down.t', id::text)) = :worker_1_port \gset
SELECT min(id) AS on_worker_2 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('down.t', id::text)) = :worker_2_port \gset
-- warm both connections
SELECT count(*), sum(v) FROM t;

\! $NODE_CTL stop worker_2
SELECT v FROM t WHERE id = :on_worker_2;
SELECT v FROM t WHERE id = :on_worker_1;
SELECT count(*) FROM t;
UPDATE t SET v = 0;
INSERT INTO t VALUES (:on_worker_1 + 1000, 1), (:on_worker_2 + 1000, 1);
UPDATE t SET v = v + 1 WHERE id = :on_worker_1;
\! $NODE_CTL start worker_2

-- everything is back, and nothing was half-applied
SELECT count(*), sum(v) FROM t;
SELECT v FROM t WHERE id = :on_worker_2;
SELECT v FROM t WHERE id = :on_worker_1;
DROP SCHEMA down CASCADE;
