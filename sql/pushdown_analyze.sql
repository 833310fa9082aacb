-- pushdown_analyze: EXPLAIN ANALYZE shows what each task did (router,
-- pushdown, partial aggregate, multi-shard modify) or, for streamed scans
-- whose tasks share one cursor per node, each node stream.
CREATE SCHEMA pushdown_analyze;
SET search_path TO pushdown_analyze;
ALTER SEQUENCE shard.shard_id_seq RESTART 1700000;
CREATE TABLE a (id int, g int, x numeric);
CREATE TABLE b (a_id int, v int);
CREATE TABLE c (id int, w int);
SELECT shard.create_distributed_table('a', 'id', shard_count => 4);
SELECT shard.create_distributed_table('b', 'a_id', shard_count => 4, colocate_with => 'a');
SELECT shard.create_distributed_table('c', 'id', shard_count => 2);
INSERT INTO a SELECT i, i % 3, i / 4.0 FROM generate_series(1, 40) i;
INSERT INTO b SELECT i % 40 + 1, i FROM generate_series(1, 80) i;
INSERT INTO c SELECT i, i FROM generate_series(1, 10) i;

-- router: one task
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM a WHERE id = 5;
-- router with a parameter: pruned at run time, the task that ran
PREPARE r(int) AS SELECT * FROM a JOIN b ON b.a_id = a.id WHERE a.id = $1;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE r(7);
-- pushdown and partial aggregate: rows per node stream
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT a.id, count(*) FROM a JOIN b ON a.id = b.a_id GROUP BY a.id;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT g, count(*) FROM a GROUP BY g;
-- coordinator-side remote scans
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM a JOIN c ON a.id = c.id;
-- multi-shard modify: rows changed per task
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE a SET g = g + 1 WHERE g = 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) DELETE FROM b WHERE v > 70 RETURNING v;
ROLLBACK;
-- rescans: rows and times per execution, as PostgreSQL shows them
SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT * FROM (VALUES (1), (2), (3)) v(k), LATERAL (SELECT count(*) FROM a WHERE id = v.k) s;
RESET enable_hashjoin;
RESET enable_mergejoin;
-- with timing, times are shown (and normalized here)
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT * FROM a WHERE id = 5;
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT a.id FROM a JOIN b ON a.id = b.a_id WHERE b.v < 5;
-- other formats
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT * FROM a WHERE id = 5;
-- plain EXPLAIN shows no task statistics
EXPLAIN (COSTS OFF) SELECT * FROM a WHERE id = 5;
DROP SCHEMA pushdown_analyze CASCADE;
