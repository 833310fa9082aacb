-- dml_modifying_cte: data-modifying WITH whose statement updates or
-- deletes rows of a distributed table (the CTE's statement runs first, its
-- RETURNING rows feed the rest), and INSERT ... SELECT ... ON CONFLICT
-- between tables that are not co-located; each compared with the same
-- statement on local copies (rows afterwards, returned rows, row counts).
SET client_min_messages TO warning;
CREATE SCHEMA dml_cte;
SET search_path TO dml_cte, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1970000;

CREATE TABLE a (id int PRIMARY KEY, k int, v int);
INSERT INTO a SELECT g, g % 9, g % 25 FROM generate_series(1, 300) g;
CREATE TABLE a_local AS SELECT * FROM a;
ALTER TABLE a_local ADD PRIMARY KEY (id);
SELECT shard.create_distributed_table('a', 'id');
-- distributed on another column: not co-located with a
CREATE TABLE archive (id int, k int, v int, PRIMARY KEY (k, id));
CREATE TABLE archive_local (id int, k int, v int, PRIMARY KEY (k, id));
SELECT shard.create_distributed_table('archive', 'k');
CREATE TABLE log (id int, v int);
CREATE TABLE log_local (id int, v int);

CREATE FUNCTION same_rows() RETURNS text LANGUAGE sql AS $$
	SELECT compare_results('SELECT * FROM a', 'SELECT * FROM a_local') || ', ' ||
	       compare_results('SELECT * FROM archive', 'SELECT * FROM archive_local') $$;

-- move rows between tables that are not co-located
WITH moved AS (DELETE FROM a WHERE v < 3 RETURNING *) INSERT INTO archive SELECT * FROM moved;
\set d :ROW_COUNT
WITH moved AS (DELETE FROM a_local WHERE v < 3 RETURNING *) INSERT INTO archive_local SELECT * FROM moved;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT same_rows();
-- the CTE's rows read by a SELECT, routed or over all shards
SELECT compare_results('WITH u AS (UPDATE a SET v = v + 100 WHERE k = 4 RETURNING id, v) SELECT count(*), sum(v), min(id) FROM u',
                       'WITH u AS (UPDATE a_local SET v = v + 100 WHERE k = 4 RETURNING id, v) SELECT count(*), sum(v), min(id) FROM u');
SELECT compare_results('WITH d AS (DELETE FROM a WHERE id = 78 RETURNING *) SELECT * FROM d',
                       'WITH d AS (DELETE FROM a_local WHERE id = 78 RETURNING *) SELECT * FROM d');
SELECT compare_results('WITH d AS (DELETE FROM a WHERE id = -1 RETURNING *) SELECT * FROM d',
                       'WITH d AS (DELETE FROM a_local WHERE id = -1 RETURNING *) SELECT * FROM d');
-- into a local table, with a filter and an expression
WITH d AS (DELETE FROM a WHERE v BETWEEN 20 AND 22 RETURNING id, v) INSERT INTO log SELECT id, v * 2 FROM d WHERE id % 2 = 0;
\set d :ROW_COUNT
WITH d AS (DELETE FROM a_local WHERE v BETWEEN 20 AND 22 RETURNING id, v) INSERT INTO log_local SELECT id, v * 2 FROM d WHERE id % 2 = 0;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT compare_results('SELECT * FROM log', 'SELECT * FROM log_local');
SELECT same_rows();
-- moving rows in a transaction that rolls back
BEGIN;
WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO archive SELECT * FROM moved;
SELECT count(*) FROM a;
ROLLBACK;
SELECT same_rows();

-- INSERT ... SELECT ... ON CONFLICT between tables that are not co-located
INSERT INTO archive SELECT id, k, v FROM a WHERE v < 8 ON CONFLICT (k, id) DO NOTHING;
\set d :ROW_COUNT
INSERT INTO archive_local SELECT id, k, v FROM a_local WHERE v < 8 ON CONFLICT (k, id) DO NOTHING;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
INSERT INTO archive SELECT id, k, v FROM a WHERE v < 10 ON CONFLICT (k, id) DO NOTHING;
\set d :ROW_COUNT
INSERT INTO archive_local SELECT id, k, v FROM a_local WHERE v < 10 ON CONFLICT (k, id) DO NOTHING;
SELECT :d AS dist_count, :ROW_COUNT AS local_count;
SELECT compare_results('INSERT INTO archive SELECT id, k, v + 1000 FROM a WHERE v < 12 ON CONFLICT (k, id) DO UPDATE SET v = EXCLUDED.v WHERE archive.v < 9 RETURNING *',
                       'INSERT INTO archive_local SELECT id, k, v + 1000 FROM a_local WHERE v < 12 ON CONFLICT (k, id) DO UPDATE SET v = EXCLUDED.v WHERE archive_local.v < 9 RETURNING *');
SELECT same_rows();

-- still refused: a CTE read twice or not read whole, the rest reading the
-- modified table, a modifying CTE that inserts
WITH d AS (DELETE FROM a WHERE id = 1 RETURNING *) SELECT * FROM d UNION ALL SELECT * FROM d;
WITH d AS (DELETE FROM a WHERE id = 1 RETURNING *) SELECT * FROM d LIMIT 1;
WITH d AS (DELETE FROM a WHERE id = 1 RETURNING *) SELECT count(*) FROM a;
WITH i AS (INSERT INTO a VALUES (1000, 1, 1) RETURNING *) SELECT * FROM i;
SELECT same_rows();

SET client_min_messages TO warning;
DROP SCHEMA dml_cte CASCADE;
