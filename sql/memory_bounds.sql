-- memory_bounds: routed SELECTs and reference table reads stream their rows
-- through the coordinator in bounded memory; SELECTs that fail or are
-- cancelled free what they held and leave the node connections usable.
--
-- Memory is read from /proc/<backend pid>/status (superuser pg_read_file).
-- Writing 5 to /proc/<pid>/clear_refs sets the backend's peak resident size
-- (VmHWM) back to its current size, so VmHWM after a statement minus VmRSS
-- before it is the statement's peak growth, however short the peak was.
SET client_min_messages TO warning;
CREATE SCHEMA memory_bounds;
SET search_path TO memory_bounds, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1950000;

CREATE TABLE big (k int, v int);
SELECT shard.create_distributed_table('big', 'k', shard_count => 1);
CREATE TABLE ref (k int, v int);
SELECT shard.create_reference_table('ref');
CREATE TABLE big_local (k int, v int);

-- 5M rows of key 1 and 100 of key 2, written on the nodes directly (fast)
SELECT shard_name AS big_shard, port AS big_port FROM shard.shards
WHERE table_name = 'big'::regclass \gset
SELECT DISTINCT shard_name AS ref_shard FROM shard.shards
WHERE table_name = 'ref'::regclass \gset
\c - - - :big_port
INSERT INTO :big_shard SELECT 1, g FROM generate_series(1, 5000000) g;
INSERT INTO :big_shard SELECT 2, g FROM generate_series(1, 100) g;
\c - - - :worker_1_port
INSERT INTO :ref_shard SELECT g % 7, g FROM generate_series(1, 5000000) g;
\c - - - :worker_2_port
INSERT INTO :ref_shard SELECT g % 7, g FROM generate_series(1, 5000000) g;
\c - - - :coordinator_port
SET search_path TO memory_bounds, public;
INSERT INTO big_local SELECT 2, g FROM generate_series(1, 100) g;

-- kB of a field of this backend's /proc status
CREATE FUNCTION status_kb(field text) RETURNS bigint LANGUAGE sql AS $$
	SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
						 field || ':\s+(\d+) kB'))[1]::bigint
$$;
SELECT '/proc/' || pg_backend_pid() || '/clear_refs' AS clear_refs \gset

-- both are single-task statements on one node
EXPLAIN (COSTS OFF) SELECT * FROM big WHERE k = 1;
EXPLAIN (COSTS OFF) SELECT * FROM ref;

-- a routed SELECT of 5M rows from one shard: peak growth under 50 MB
COPY (SELECT 5) TO :'clear_refs';
SELECT status_kb('VmRSS') AS rss_before \gset
COPY (SELECT * FROM big WHERE k = 1) TO '/dev/null';
SELECT status_kb('VmHWM') - :rss_before < 50 * 1024 AS routed_bounded;

-- the same inside a transaction (remote transaction, no autocommit)
BEGIN;
COPY (SELECT 5) TO :'clear_refs';
SELECT status_kb('VmRSS') AS rss_before \gset
COPY (SELECT * FROM big WHERE k = 1) TO '/dev/null';
SELECT status_kb('VmHWM') - :rss_before < 50 * 1024 AS routed_in_xact_bounded;
COMMIT;

-- a 5M-row reference table scan: peak growth under 50 MB
COPY (SELECT 5) TO :'clear_refs';
SELECT status_kb('VmRSS') AS rss_before \gset
COPY (SELECT * FROM ref) TO '/dev/null';
SELECT status_kb('VmHWM') - :rss_before < 50 * 1024 AS reference_bounded;

-- 50 large SELECTs cancelled while their rows stream (a cancel request to
-- the backend itself, as Ctrl-C): PostgreSQL never ends their scans, and
-- what they held must not pile up.  Stops early once over the bound.
COPY (SELECT 5) TO :'clear_refs';
SELECT status_kb('VmRSS') AS rss_before \gset
SET memory_bounds.rss_before = :rss_before;
DO $$
DECLARE
	r record;
	cancelled int := 0;
	i int;
BEGIN
	FOR i IN 1..50 LOOP
		BEGIN
			FOR r IN SELECT * FROM memory_bounds.big WHERE k = 1 LOOP
				PERFORM pg_cancel_backend(pg_backend_pid());
				PERFORM pg_sleep(30);
			END LOOP;
		EXCEPTION WHEN query_canceled THEN
			cancelled := cancelled + 1;
		END;
		EXIT WHEN memory_bounds.status_kb('VmRSS') - current_setting('memory_bounds.rss_before')::bigint > 50 * 1024;
	END LOOP;
	RAISE NOTICE 'cancelled % of 50', cancelled;
END
$$;
SELECT status_kb('VmHWM') - :rss_before < 50 * 1024 AS cancelled_bounded;

-- statement_timeout cancels a streaming statement; the next ones work
SET statement_timeout = '300ms';
COPY (SELECT * FROM big WHERE k = 1) TO '/dev/null';
COPY (SELECT * FROM ref) TO '/dev/null';
BEGIN;
COPY (SELECT * FROM big WHERE k = 1) TO '/dev/null';
ROLLBACK;
RESET statement_timeout;
(SELECT * FROM big WHERE k = 2 EXCEPT ALL SELECT * FROM big_local)
UNION ALL (SELECT * FROM big_local EXCEPT ALL SELECT * FROM big WHERE k = 2);
PREPARE by_key(int) AS SELECT count(*), sum(v) FROM (SELECT * FROM big WHERE k = $1 OFFSET 0) s;
EXECUTE by_key(2);
EXECUTE by_key(1);
SELECT count(*), sum(v) FROM big_local;

-- a SELECT stopped early (a cursor closed before its end) is read to its
-- end in the remote transaction, which goes on
BEGIN;
DECLARE c CURSOR FOR SELECT * FROM big WHERE k = 1;
MOVE 2 IN c;
CLOSE c;
SELECT count(*) FROM big WHERE k = 2;
COMMIT;
-- another statement on the node while a cursor's rows stream: the rest of
-- the cursor's rows is kept, both return the right rows
BEGIN;
DECLARE c CURSOR FOR SELECT v FROM big WHERE k = 2 ORDER BY v;
FETCH 3 FROM c;
SELECT count(*), sum(v) FROM big WHERE k = 2;
FETCH 3 FROM c;
SELECT count(*) FROM ref WHERE k = 3;
FETCH 3 FROM c;
COMMIT;
SELECT count(*) FROM ref WHERE k = 3;

DROP SCHEMA memory_bounds CASCADE;
