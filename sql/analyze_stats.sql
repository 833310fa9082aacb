-- analyze_stats: ANALYZE of a distributed or reference table brings the
-- shards' statistics to the coordinator's shell (reltuples, relpages,
-- per-column null fraction, width and distinct count), so that the pushdown
-- planner's choice of partial aggregation sees the data.
CREATE SCHEMA analyze_stats;
SET search_path TO analyze_stats;
ALTER SEQUENCE shard.shard_id_seq RESTART 1850000;
CREATE TABLE t (id int, hi int, lo int, v int, note text) WITH (autovacuum_enabled = false);
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);
CREATE TABLE t_local (LIKE t);
INSERT INTO t_local SELECT i, i % 1500, i % 10, i,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'note ' || (i % 7) END
  FROM generate_series(1, 3000) i;
INSERT INTO t SELECT * FROM t_local;
-- without statistics: the empty shell, partial aggregation by default
SELECT reltuples <= 0 AS no_stats FROM pg_class WHERE oid = 't'::regclass;
ANALYZE t;
SELECT reltuples, relpages > 0 AS has_pages FROM pg_class WHERE oid = 't'::regclass;
-- id (distribution column) and v are unique (-1); lo and note are exact;
-- note has a quarter NULLs.  hi's 1500 values each occur twice: a shard of
-- 750 rows holds about 660 of them, and hi stores the count that predicts
-- this per-shard reduction (more than 1500: see ShellDistinct)
SELECT attname, null_frac, avg_width, round(n_distinct::numeric, 2) AS n_distinct
  FROM pg_stats WHERE schemaname = 'analyze_stats' AND tablename = 't' ORDER BY attname;
-- about 1500 groups from 750 rows per shard: coordinator-side
EXPLAIN (COSTS OFF) SELECT hi, count(*), sum(v) FROM t GROUP BY hi;
-- 10 groups: partial aggregate
EXPLAIN (COSTS OFF) SELECT lo, count(*), sum(v) FROM t GROUP BY lo;
SELECT public.compare_results('SELECT hi, count(*), sum(v) FROM t GROUP BY hi',
                       'SELECT hi, count(*), sum(v) FROM t_local GROUP BY hi');
SELECT public.compare_results('SELECT lo, count(*), sum(v) FROM t GROUP BY lo',
                       'SELECT lo, count(*), sum(v) FROM t_local GROUP BY lo');
-- ANALYZE again after a change replaces the rows; VACUUM ANALYZE too
DELETE FROM t WHERE id > 2000;
DELETE FROM t_local WHERE id > 2000;
VACUUM (ANALYZE) t;
SELECT reltuples FROM pg_class WHERE oid = 't'::regclass;
SELECT count(*) FROM pg_statistic WHERE starelid = 't'::regclass;
SELECT public.compare_results('SELECT note, count(*) FROM t GROUP BY note',
                       'SELECT note, count(*) FROM t_local GROUP BY note');
-- a reference table, analyzed in a transaction block: one copy counts
CREATE TABLE r (id int PRIMARY KEY, k int);
SELECT shard.create_reference_table('r');
INSERT INTO r SELECT i, i % 5 FROM generate_series(1, 200) i;
BEGIN;
ANALYZE r;
SELECT reltuples FROM pg_class WHERE oid = 'r'::regclass;
COMMIT;
SELECT reltuples FROM pg_class WHERE oid = 'r'::regclass;
SELECT attname, null_frac, n_distinct FROM pg_stats
 WHERE schemaname = 'analyze_stats' AND tablename = 'r' ORDER BY attname;
SELECT public.compare_results('SELECT k, count(*) FROM r GROUP BY k',
                       'SELECT i % 5, count(*) FROM generate_series(1, 200) i GROUP BY 1');
DROP SCHEMA analyze_stats CASCADE;
