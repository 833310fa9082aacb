-- pushdown_explain: which multi-shard SELECTs run inside the shards
-- (strategy pushdown or partial aggregate) and which stay on the
-- coordinator-side path (remote scans), with the SQL of one task.
CREATE SCHEMA pushdown_explain;
SET search_path TO pushdown_explain;
ALTER SEQUENCE shard.shard_id_seq RESTART 1150000;
CREATE TABLE a (id int, g int, x numeric, f float8);
CREATE TABLE b (a_id int, v int);
CREATE TABLE c (id int, w int);
CREATE TABLE loc (id int);
SELECT shard.create_distributed_table('a', 'id', shard_count => 4);
SELECT shard.create_distributed_table('b', 'a_id', shard_count => 4, colocate_with => 'a');
SELECT shard.create_distributed_table('c', 'id', shard_count => 2);

-- whole-query pushdown: co-located join, top-N in every task
EXPLAIN (COSTS OFF, VERBOSE)
SELECT a.id, b.v FROM a JOIN b ON a.id = b.a_id WHERE b.v > 2 ORDER BY b.v DESC LIMIT 5 OFFSET 1;
-- grouped by the distribution column: aggregates, HAVING and count(DISTINCT) in the shards
EXPLAIN (COSTS OFF, VERBOSE)
SELECT a.id, count(DISTINCT b.v), sum(a.x) FROM a LEFT JOIN b ON a.id = b.a_id GROUP BY a.id HAVING count(*) > 1;
-- window partitioned by the distribution column, CTE and IN subquery in the shard group
EXPLAIN (COSTS OFF, VERBOSE)
WITH t AS (SELECT a_id, sum(v) s FROM b GROUP BY a_id)
SELECT a.id, rank() OVER (PARTITION BY a.id ORDER BY t.s) FROM a JOIN t ON t.a_id = a.id
WHERE a.id IN (SELECT a_id FROM b WHERE v = 1);
-- DISTINCT without the distribution column: in the shards and again on the coordinator
EXPLAIN (COSTS OFF, VERBOSE) SELECT DISTINCT g FROM a;

-- partial aggregates combined on the coordinator
EXPLAIN (COSTS OFF, VERBOSE) SELECT count(*), avg(x), min(g), stddev(f) FROM a;
EXPLAIN (COSTS OFF, VERBOSE)
SELECT g, count(*) FROM a GROUP BY g HAVING sum(x) > 10 ORDER BY count(*) DESC LIMIT 10;

-- coordinator-side: not co-located, local table, volatile, count(DISTINCT)
-- across shards, window across shards, LIMIT in a subquery (numeric stddev:
-- a partial aggregate)
EXPLAIN (COSTS OFF) SELECT * FROM a JOIN c ON a.id = c.id;
EXPLAIN (COSTS OFF) SELECT * FROM a JOIN loc ON a.id = loc.id;
EXPLAIN (COSTS OFF) SELECT id, random() FROM a;
EXPLAIN (COSTS OFF) SELECT stddev(x) FROM a;
EXPLAIN (COSTS OFF) SELECT g, count(DISTINCT x) FROM a GROUP BY g;
EXPLAIN (COSTS OFF) SELECT id, sum(g) OVER () FROM a;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id FROM a LIMIT 3) s;
EXPLAIN (COSTS OFF) SELECT * FROM a JOIN b ON a.g = b.v;
SET shard.enable_pushdown TO off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM a;
RESET shard.enable_pushdown;

-- router: a join pinned to one shard group is one task
EXPLAIN (COSTS OFF, VERBOSE) SELECT a.id, b.v FROM a JOIN b ON a.id = b.a_id WHERE a.id = 5;

-- generic plans of prepared statements keep the pushdown
PREPARE q(int) AS SELECT g, count(*) FROM a WHERE x > $1 GROUP BY g;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF, VERBOSE) EXECUTE q(3);
RESET plan_cache_mode;
DEALLOCATE q;

DROP SCHEMA pushdown_explain CASCADE;
