-- statement_cache: a generic plan's per-shard statements are prepared once
-- per worker connection and then only bound and executed; a table that
-- changes shape gets fresh statements, and a statement the worker rejects
-- leaves the connection usable.
SET client_min_messages TO warning;
CREATE SCHEMA statement_cache;
SET search_path TO statement_cache, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1090000;

CREATE TABLE sc (k bigint PRIMARY KEY, v text);
SELECT shard.create_distributed_table('sc', 'k', shard_count => 4);
INSERT INTO sc SELECT g, 'v' || g FROM generate_series(1, 100) g;
SELECT shard_id, port FROM shard.shards
WHERE table_name = 'statement_cache.sc'::regclass ORDER BY 1;

SET plan_cache_mode TO force_generic_plan;
PREPARE get_v(bigint) AS SELECT v FROM sc WHERE k = $1;
PREPARE set_v(bigint, text) AS UPDATE sc SET v = $2 WHERE k = $1;
-- every key once, twice: each shard's text is prepared on first use
SELECT count(*) AS matching FROM generate_series(1, 100) g
WHERE (SELECT v FROM sc WHERE k = g) = 'v' || g;
EXECUTE get_v(1);
EXECUTE get_v(1);
EXECUTE get_v(2);
EXECUTE get_v(100);
EXECUTE get_v(101);

-- writes through prepared statements, seen by the same transaction, undone
-- by its rollback, while the prepared statements survive the rollback
BEGIN;
EXECUTE set_v(1, 'changed');
EXECUTE get_v(1);
EXECUTE set_v(2, 'changed too');
EXECUTE get_v(2);
ROLLBACK;
EXECUTE get_v(1);
EXECUTE get_v(2);
EXECUTE set_v(3, 'kept');
EXECUTE get_v(3);
-- the first statement of a node in a transaction travels with its BEGIN as
-- SQL EXECUTE: values with quotes and backslashes, and NULL, arrive intact
BEGIN;
EXECUTE set_v(40, E'it''s a \\ test');
EXECUTE set_v(41, NULL);
EXECUTE set_v(42, E'\\x41''; SELECT 1; --');
COMMIT;
SELECT k, v, v IS NULL AS is_null FROM sc WHERE k IN (40, 41, 42) ORDER BY k;

-- a shard the worker does not have: the worker's error with the node as
-- context, and the connection keeps working for the other shards
\c - - - :worker_1_port
ALTER TABLE statement_cache.sc_1090002 RENAME TO sc_hidden;
\c - - - :coordinator_port
SET search_path TO statement_cache, public;
SET plan_cache_mode TO force_generic_plan;
PREPARE get_v(bigint) AS SELECT v FROM sc WHERE k = $1;
SELECT k FROM generate_series(1, 30) k
WHERE shard.shard_id_for_value('statement_cache.sc', k::text) = 1090002 LIMIT 1 \gset
EXECUTE get_v(:k);
EXECUTE get_v(1);
\c - - - :worker_1_port
ALTER TABLE statement_cache.sc_hidden RENAME TO sc_1090002;
\c - - - :coordinator_port
SET search_path TO statement_cache, public;
SET plan_cache_mode TO force_generic_plan;
PREPARE get_v(bigint) AS SELECT v FROM sc WHERE k = $1;
EXECUTE get_v(:k);
EXECUTE get_v(1);

-- the same statement text on a table of another shape (same shard names):
-- the worker session must not reuse the statement prepared for the old one
DROP TABLE sc;
ALTER SEQUENCE shard.shard_id_seq RESTART 1090000;
CREATE TABLE sc (k bigint PRIMARY KEY, v int);
SELECT shard.create_distributed_table('sc', 'k', shard_count => 4);
INSERT INTO sc SELECT g, g * 10 FROM generate_series(1, 100) g;
DEALLOCATE get_v;
PREPARE get_v(bigint) AS SELECT v FROM sc WHERE k = $1;
EXECUTE get_v(1);
EXECUTE get_v(2);
EXECUTE get_v(100);
SELECT count(*) AS matching FROM generate_series(1, 100) g
WHERE (SELECT v FROM sc WHERE k = g) = g * 10;

RESET plan_cache_mode;

-- routed statements with literals ship them as parameters ($n), so the
-- worker prepares one text per shard however the values change; values of
-- every kind arrive as the coordinator read them, under its settings
CREATE TABLE lit (k int PRIMARY KEY, d date, ts timestamptz, n numeric, t text,
                  a int[], iv interval, b bool, j jsonb);
CREATE TABLE lit_local (LIKE lit);
INSERT INTO lit SELECT g, date '2024-01-01' + g, timestamptz '2024-03-01 12:00+00' + g * interval '90 minutes',
       g * 1.125, E'it''s \\ ' || g, ARRAY[g, g + 1], g * interval '1 day 2 hours', g % 2 = 0,
       jsonb_build_object('k', g)
FROM generate_series(1, 40) g;
INSERT INTO lit_local SELECT * FROM lit;
SELECT shard.create_distributed_table('lit', 'k', shard_count => 4);
EXPLAIN (COSTS OFF, VERBOSE) SELECT t FROM lit WHERE k = 7 AND t <> 'x';
SELECT compare_results($$SELECT * FROM lit WHERE k = 7 AND d = '2024-01-08' AND n = 7.875$$,
                       $$SELECT * FROM lit_local WHERE k = 7 AND d = '2024-01-08' AND n = 7.875$$);
SELECT compare_results($$SELECT k, t, a FROM lit WHERE k = 8 AND t = E'it''s \\ 8' AND a = '{8,9}'$$,
                       $$SELECT k, t, a FROM lit_local WHERE k = 8 AND t = E'it''s \\ 8' AND a = '{8,9}'$$);
SELECT compare_results($$SELECT k, ts, iv, b, j FROM lit WHERE k = 9 AND ts > '2024-03-01' AND iv < '1 year' AND b = false AND j @> '{"k": 9}'$$,
                       $$SELECT k, ts, iv, b, j FROM lit_local WHERE k = 9 AND ts > '2024-03-01' AND iv < '1 year' AND b = false AND j @> '{"k": 9}'$$);
SET DateStyle TO 'SQL, DMY';
SET TimeZone TO 'Europe/Berlin';
SET IntervalStyle TO 'iso_8601';
SELECT k, d, ts, iv FROM lit WHERE k = 10 AND d = '11/01/2024' AND ts = '2024-03-02 03:00:00+00';
SELECT k, d, ts, iv FROM lit_local WHERE k = 10 AND d = '11/01/2024' AND ts = '2024-03-02 03:00:00+00';
UPDATE lit SET iv = iv + 'P1D', d = '01/02/2025' WHERE k = 10 AND d = '11/01/2024';
SELECT k, d, iv FROM lit WHERE k = 10;
-- a zone whose abbreviation (IST) means another offset in the default
-- abbreviation table: values travel in ISO form, not as printed here
SET TimeZone TO 'Asia/Kolkata';
SELECT k FROM lit WHERE k = 12 AND ts = '2024-03-02 06:00:00+00';
-- rows written through the coordinator (routed INSERT, rows moved by
-- create_distributed_table) are stored as the same instants
SET DateStyle TO 'Postgres, MDY';
INSERT INTO lit (k, ts, d) VALUES (100, '2024-01-01 12:00+05:30', '2024-02-03'), (101, '0300-06-01 00:00+00', '2024-02-04');
INSERT INTO lit_local (k, ts, d) VALUES (100, '2024-01-01 12:00+05:30', '2024-02-03'), (101, '0300-06-01 00:00+00', '2024-02-04');
SELECT compare_results('SELECT k, ts, d FROM lit WHERE k >= 100', 'SELECT k, ts, d FROM lit_local WHERE k >= 100');
SELECT k, ts AT TIME ZONE 'UTC' AS utc FROM lit WHERE k >= 100 ORDER BY k;
CREATE TABLE moved (k int PRIMARY KEY, ts timestamptz);
INSERT INTO moved VALUES (1, '2024-01-01 12:00+05:30'), (2, '0300-06-01 00:00+00');
SELECT shard.create_distributed_table('moved', 'k', shard_count => 2);
SELECT k, ts AT TIME ZONE 'UTC' AS utc FROM moved ORDER BY k;
RESET DateStyle;
RESET TimeZone;
RESET IntervalStyle;
DELETE FROM lit WHERE k = 11 AND n > 12.3;
SELECT count(*) FROM lit WHERE k = 11;

-- a PREPARE on a worker that is cancelled while it waits (here for a lock
-- another session holds on the shard) leaves the connection working: its
-- statement name is never used again; inside a subtransaction, rolling that
-- back cancels the PREPARE and undoes it on the node, and the transaction
-- goes on
CREATE TABLE lk (k int PRIMARY KEY, v int);
SELECT shard.create_distributed_table('lk', 'k', shard_count => 4);
INSERT INTO lk SELECT g, g FROM generate_series(1, 20) g;
-- two shards on one worker: the first is locked, the second is not
SELECT shard_id AS lk_shard, port AS lk_port FROM shard.shards
WHERE table_name = 'statement_cache.lk'::regclass ORDER BY shard_id LIMIT 1 \gset
SELECT min(shard_id) AS other_shard FROM shard.shards
WHERE table_name = 'statement_cache.lk'::regclass AND port = :lk_port AND shard_id <> :lk_shard \gset
SELECT min(k) AS k1 FROM generate_series(1, 20) k
WHERE shard.shard_id_for_value('statement_cache.lk', k::text) = :lk_shard \gset
SELECT min(k) AS k2 FROM generate_series(1, 20) k
WHERE shard.shard_id_for_value('statement_cache.lk', k::text) = :other_shard \gset
CREATE EXTENSION dblink;
SELECT dblink_connect('locker', format('host=127.0.0.1 port=%s dbname=%s', :lk_port, current_database()));
SELECT dblink_exec('locker', format('BEGIN; LOCK TABLE statement_cache.lk_%s IN ACCESS EXCLUSIVE MODE', :lk_shard));
SET statement_timeout = '500ms';
SELECT v FROM lk WHERE k = :k1;
RESET statement_timeout;
SELECT dblink_exec('locker', 'ROLLBACK');
SELECT v FROM lk WHERE k = :k1;
SELECT k FROM lk WHERE k = :k1 AND v > 0;

BEGIN;
SELECT v FROM lk WHERE k = :k2;
SAVEPOINT s;
SELECT dblink_exec('locker', format('BEGIN; LOCK TABLE statement_cache.lk_%s IN ACCESS EXCLUSIVE MODE', :lk_shard));
SET LOCAL statement_timeout = '500ms';
SELECT k FROM lk WHERE k = :k1 AND v < 100;
ROLLBACK TO SAVEPOINT s;
SELECT dblink_exec('locker', 'ROLLBACK');
SELECT k FROM lk WHERE k = :k1 AND v < 100;
UPDATE lk SET v = v + 1 WHERE k = :k1;
SELECT v FROM lk WHERE k = :k1;
COMMIT;
SELECT v FROM lk WHERE k = :k1;
SELECT count(*), sum(v) FROM lk;
SELECT dblink_disconnect('locker');
DROP EXTENSION dblink;

DROP SCHEMA statement_cache CASCADE;
