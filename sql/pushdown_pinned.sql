-- pushdown_pinned: statements with subqueries and CTEs whose rows all come
-- from one shard group (a "dist_col = value" filter at the top level, or a
-- pinned subquery the top level is joined to) run as one task on one node,
-- checked against local copies.
CREATE SCHEMA pushdown_pinned;
SET search_path TO pushdown_pinned;
ALTER SEQUENCE shard.shard_id_seq RESTART 1710000;
CREATE TABLE a (id int, g int, v int, x numeric);
CREATE TABLE b (a_id int, v int, w text);
CREATE TABLE c (id int, v int);
INSERT INTO a SELECT i, i % 4, i % 7, i / 3.0 FROM generate_series(1, 60) i;
INSERT INTO b SELECT i % 60 + 1, i % 9, 'w' || i FROM generate_series(1, 240) i;
INSERT INTO c SELECT i, i % 5 FROM generate_series(1, 30) i;
CREATE TABLE a_local AS SELECT * FROM a;
CREATE TABLE b_local AS SELECT * FROM b;
CREATE TABLE c_local AS SELECT * FROM c;
SELECT shard.create_distributed_table('a', 'id', shard_count => 4);
SELECT shard.create_distributed_table('b', 'a_id', shard_count => 4, colocate_with => 'a');
SELECT shard.create_distributed_table('c', 'id', shard_count => 4, colocate_with => 'none');
CREATE FUNCTION check_query(q text, ordered boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN public.compare_results(q, regexp_replace(q, '\m(a|b|c)\M', '\1_local', 'g'), ordered);
END $$;

-- one task: CTE pinned, joined on the distribution column
EXPLAIN (COSTS OFF)
WITH x AS (SELECT * FROM a WHERE id = 5) SELECT * FROM x JOIN b ON b.a_id = x.id;
SELECT check_query('WITH x AS (SELECT * FROM a WHERE id = 5) SELECT * FROM x JOIN b ON b.a_id = x.id');
-- IN subquery on another column, pinned to the same shard group
EXPLAIN (COSTS OFF)
SELECT * FROM a WHERE id = 10 AND v IN (SELECT v FROM b WHERE a_id = 10);
SELECT check_query('SELECT * FROM a WHERE id = 10 AND v IN (SELECT v FROM b WHERE a_id = 10)');
-- subquery grouped by another column, pinned
EXPLAIN (COSTS OFF)
SELECT * FROM (SELECT g, count(*), sum(x) FROM a WHERE id = 5 GROUP BY g) s;
SELECT check_query('SELECT * FROM (SELECT g, count(*), sum(x) FROM a WHERE id = 5 GROUP BY g) s');
-- aggregates, LIMIT, windows, scalar and correlated subqueries inside one shard group
EXPLAIN (COSTS OFF)
SELECT a.id, count(*), max(b.v) FROM a JOIN b ON a.id = b.a_id WHERE a.id = 7 GROUP BY a.id, b.v % 2;
SELECT check_query('SELECT a.id, count(*), max(b.v) FROM a JOIN b ON a.id = b.a_id WHERE a.id = 7 GROUP BY a.id, b.v % 2');
SELECT check_query('SELECT count(*), sum(v) FROM (SELECT * FROM b WHERE a_id = 9 ORDER BY v, w LIMIT 2) s');
SELECT check_query('SELECT w, row_number() OVER (ORDER BY v, w) FROM b WHERE a_id = 9');
SELECT check_query('SELECT *, (SELECT max(v) FROM b WHERE a_id = 11) FROM a WHERE id = 11');
SELECT check_query('SELECT * FROM a WHERE id = 12 AND EXISTS (SELECT 1 FROM b WHERE b.a_id = 12 AND b.v = a.v)');
SELECT check_query('SELECT * FROM a LEFT JOIN b ON a.id = b.a_id AND b.v > 3 WHERE a.id = 13');
SELECT check_query('SELECT DISTINCT g FROM a WHERE id IN (SELECT a_id FROM b WHERE a_id = 14)');
SELECT check_query('WITH x AS (SELECT g, count(*) n FROM a WHERE id = 15 GROUP BY g) SELECT * FROM x, b WHERE b.a_id = 15 AND b.v <> x.n');
SELECT check_query('SELECT count(*) FROM a WHERE id = 16 AND id = 17');
-- a parameter pins at run time
PREPARE p(int) AS WITH x AS (SELECT * FROM a WHERE id = $1) SELECT x.id, count(*) FROM x JOIN b ON b.a_id = x.id GROUP BY x.id;
EXPLAIN (COSTS OFF) EXECUTE p(5);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE p(5);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE p(21);
EXECUTE p(21);
SELECT count(*) FROM b_local WHERE a_id = 21;
RESET plan_cache_mode;
-- not pinned: still pushdown per shard, or the coordinator-side path
EXPLAIN (COSTS OFF)
SELECT * FROM (SELECT g, count(*) FROM a WHERE id = 5 GROUP BY g) s JOIN b ON b.v = s.g;
SELECT check_query('SELECT * FROM (SELECT g, count(*) FROM a WHERE id = 5 GROUP BY g) s JOIN b ON b.v = s.g');
EXPLAIN (COSTS OFF)
SELECT * FROM a LEFT JOIN (SELECT * FROM b WHERE a_id = 5 LIMIT 3) s ON s.a_id = a.id;
SELECT check_query('SELECT * FROM a LEFT JOIN (SELECT * FROM b WHERE a_id = 5 ORDER BY v, w LIMIT 3) s ON s.a_id = a.id');
EXPLAIN (COSTS OFF)
SELECT * FROM a WHERE id = 5 AND v IN (SELECT v FROM b WHERE a_id = 6);
SELECT check_query('SELECT * FROM a WHERE id = 5 AND v IN (SELECT v FROM b WHERE a_id = 6)');
-- pins of tables that are not co-located do not combine
SELECT check_query('SELECT * FROM a WHERE id = 5 AND v IN (SELECT v FROM c WHERE id = 5)');
DROP SCHEMA pushdown_pinned CASCADE;
