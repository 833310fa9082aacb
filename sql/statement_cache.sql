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
DROP SCHEMA statement_cache CASCADE;
