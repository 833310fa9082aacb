-- unsupported: shapes that are not supported yet fail with a clear error
-- and change nothing.
SET client_min_messages TO warning;
CREATE SCHEMA unsupported;
SET search_path TO unsupported, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1060000;
CREATE TABLE t (id int PRIMARY KEY, v int);
CREATE TABLE l (id int, v int);
INSERT INTO t SELECT g, g FROM generate_series(1, 10) g;
INSERT INTO l SELECT g, g FROM generate_series(1, 10) g;
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);

SELECT * FROM t JOIN l USING (id) FOR UPDATE OF t;
SELECT * FROM t WHERE id = 1 FOR UPDATE;
SELECT ctid FROM t;
UPDATE l SET v = t.v FROM t WHERE t.id = l.id;
UPDATE t SET v = l.v FROM l WHERE t.id = l.id;
UPDATE t SET v = (SELECT max(v) FROM l WHERE l.id = t.id);
DELETE FROM t WHERE (id, v) IN (SELECT id, v FROM l);
MERGE INTO t USING l ON t.id = l.id WHEN MATCHED THEN UPDATE SET v = 0;
WITH u AS (UPDATE t SET v = 0 RETURNING *) SELECT count(*) FROM u, t;
ALTER TABLE t SET (fillfactor = 50);
CREATE UNIQUE INDEX ON t (v);
CREATE FUNCTION plus_one(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
UPDATE t SET v = plus_one(v);
CREATE SEQUENCE s;
UPDATE t SET v = v + 1 WHERE id = nextval('s');
BEGIN;
UPDATE t SET v = v WHERE id = 1;
PREPARE TRANSACTION 'shard_unsupported';
-- nothing changed
SELECT id, v FROM t ORDER BY id;
COPY (SELECT id, v FROM t WHERE id < 4 ORDER BY id) TO STDOUT;
SELECT plus_one(v) FROM t WHERE id = 2;
DROP SCHEMA unsupported CASCADE;
