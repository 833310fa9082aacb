-- shell_guard: a plan that would scan the coordinator's empty shell of a
-- distributed or reference table fails instead of returning no rows.
-- shard.debug_fail_at = 'skip_remote_scan' makes the planner leave the
-- shells' own scans in place, the way the UNION ALL bug did (issue 9).
CREATE SCHEMA shell_guard;
SET search_path TO shell_guard;
ALTER SEQUENCE shard.shard_id_seq RESTART 2100000;
CREATE TABLE a (k int, v int);
CREATE TABLE b (k int, v int);
CREATE TABLE r (k int, v int);
INSERT INTO a SELECT i, i FROM generate_series(1, 100) i;
INSERT INTO b SELECT i, i FROM generate_series(1, 50) i;
INSERT INTO r SELECT i, i FROM generate_series(1, 10) i;
SELECT shard.create_distributed_table('a', 'k', shard_count => 4);
SELECT shard.create_distributed_table('b', 'k', shard_count => 4);
SELECT shard.create_reference_table('r');
CREATE TABLE l (k int);
INSERT INTO l VALUES (1), (2);
-- the shape of the original bug reads the shards
SELECT count(*) FROM (SELECT v FROM a UNION ALL SELECT v FROM b) s;
SELECT count(*) FROM a JOIN l USING (k);
SET shard.debug_fail_at = 'skip_remote_scan';
-- EXPLAIN alone still shows the faulty plan
EXPLAIN (COSTS OFF) SELECT count(*) FROM (SELECT v FROM a UNION ALL SELECT v FROM b) s;
-- running it fails: never a silent 0
SELECT count(*) FROM (SELECT v FROM a UNION ALL SELECT v FROM b) s;
SELECT count(*) FROM a JOIN l USING (k);
SELECT count(*) FROM l WHERE k IN (SELECT k FROM r UNION ALL SELECT k FROM r);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM a JOIN l USING (k);
-- through SPI (a PL/pgSQL function) too
CREATE FUNCTION count_b() RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN RETURN (SELECT count(*) FROM b JOIN l USING (k)); END$$;
SELECT count_b();
RESET shard.debug_fail_at;
-- the function's plan was cached with the fault: the guard stops it too
SELECT count_b();
-- replanned, it reads the shards
DISCARD PLANS;
SELECT count_b();
SELECT count(*) FROM (SELECT v FROM a UNION ALL SELECT v FROM b) s;
SET client_min_messages TO warning;
DROP SCHEMA shell_guard CASCADE;
RESET client_min_messages;
RESET search_path;
