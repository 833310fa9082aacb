-- pushdown_estimates: partial aggregation is chosen only when the
-- coordinator's statistics do not show that shards would barely reduce the
-- rows; without statistics it stays the default.
CREATE SCHEMA pushdown_estimates;
SET search_path TO pushdown_estimates;
ALTER SEQUENCE shard.shard_id_seq RESTART 1720000;
-- statistics taken before the table is distributed stay on the shell
-- (here the table is never analyzed once distributed; see analyze_stats)
CREATE TABLE s (id int, hi int, lo int, v int) WITH (autovacuum_enabled = false);
INSERT INTO s SELECT i, i % 1500, i % 10, i FROM generate_series(1, 3000) i;
ANALYZE s;
SELECT shard.create_distributed_table('s', 'id', shard_count => 4);
CREATE TABLE n (id int, hi int, lo int, v int);
SELECT shard.create_distributed_table('n', 'id', shard_count => 4, colocate_with => 's');
INSERT INTO n SELECT * FROM s;
-- about 1500 groups from 750 rows per shard: coordinator-side
EXPLAIN (COSTS OFF) SELECT hi, count(*), sum(v) FROM s GROUP BY hi;
-- 10 groups: partial aggregate
EXPLAIN (COSTS OFF) SELECT lo, count(*), sum(v) FROM s GROUP BY lo;
-- 10 x 1500 keys, clamped to the rows: coordinator-side
EXPLAIN (COSTS OFF) SELECT lo, hi, count(*) FROM s GROUP BY lo, hi;
-- no statistics: partial aggregate
EXPLAIN (COSTS OFF) SELECT hi, count(*), sum(v) FROM n GROUP BY hi;
-- same results either way
SELECT (SELECT array_agg(x ORDER BY x) FROM (SELECT hi, count(*), sum(v) FROM s GROUP BY hi) x)
     = (SELECT array_agg(x ORDER BY x) FROM (SELECT hi, count(*), sum(v) FROM n GROUP BY hi) x) AS same;
DROP SCHEMA pushdown_estimates CASCADE;
