-- schema_ops: distributed and reference tables changing schema, and what
-- removes them.  ALTER TABLE ... SET SCHEMA and ALTER SCHEMA ... RENAME
-- move the shards (with their indexes) into the new schema on every node,
-- in the coordinator's transaction: all or nothing.  DROP EXTENSION shard
-- is refused while distributed tables exist; DROP SCHEMA ... CASCADE drops
-- the shards.  Rows are compared with local copies in schema
-- schema_ops_local, which nothing moves.
SET client_min_messages TO warning;
CREATE SCHEMA schema_ops_a;
CREATE SCHEMA schema_ops_local;
SET search_path TO schema_ops_a, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1900000;
-- what each worker holds in the schemas of this test
\set worker_objects 'SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ ''^schema_ops'' AND c.relkind IN (''r'', ''i'') ORDER BY 1, 2'

-- two shards: shard 0 on worker 1, shard 1 on worker 2; a serial column
-- (its sequence is owned by the table), a default from a sequence that is
-- not owned, and an index
CREATE SEQUENCE schema_ops_a.tag_seq;
CREATE TABLE items (id int PRIMARY KEY, name text, n serial,
                    tag int DEFAULT nextval('schema_ops_a.tag_seq'));
CREATE INDEX items_name_idx ON items (name);
INSERT INTO items (id, name) SELECT g, 'item ' || g FROM generate_series(1, 20) g;
CREATE TABLE countries (code text PRIMARY KEY, name text);
INSERT INTO countries VALUES ('fr', 'France'), ('jp', 'Japan');
CREATE TABLE schema_ops_local.items AS SELECT * FROM items;
CREATE TABLE schema_ops_local.countries AS SELECT * FROM countries;
SELECT shard.create_distributed_table('items', 'id', shard_count => 2);
SELECT shard.create_reference_table('countries');

-- ALTER TABLE ... SET SCHEMA: the shards follow, their indexes too; the
-- target schema is created on the nodes
CREATE SCHEMA schema_ops_b;
ALTER TABLE items SET SCHEMA schema_ops_b;
SELECT table_name, method FROM shard.tables WHERE table_name::text ~ 'schema_ops' ORDER BY 1;
SELECT shard_name FROM shard.shards WHERE table_name = 'schema_ops_b.items'::regclass ORDER BY 1;
\c - - - :worker_1_port
:worker_objects;
\c - - - :worker_2_port
:worker_objects;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO schema_ops_b, schema_ops_a, public;
-- the owned sequence moved with the table on the coordinator
SELECT pg_get_serial_sequence('schema_ops_b.items', 'n');
INSERT INTO items (id, name) VALUES (21, 'item 21');
INSERT INTO schema_ops_local.items (id, name, n, tag) VALUES (21, 'item 21', 21, 21);
UPDATE items SET name = name || '!' WHERE id % 4 = 0;
UPDATE schema_ops_local.items SET name = name || '!' WHERE id % 4 = 0;
SELECT compare_results('SELECT * FROM schema_ops_b.items', 'SELECT * FROM schema_ops_local.items');

-- only the owner moves a table or renames its schema
CREATE ROLE schema_ops_user;
GRANT USAGE, CREATE ON SCHEMA schema_ops_a, schema_ops_b TO schema_ops_user;
SET ROLE schema_ops_user;
ALTER TABLE schema_ops_b.items SET SCHEMA schema_ops_a;
ALTER SCHEMA schema_ops_b RENAME TO schema_ops_x;
RESET ROLE;
REVOKE ALL ON SCHEMA schema_ops_a, schema_ops_b FROM schema_ops_user;
DROP ROLE schema_ops_user;
SELECT shard_name FROM shard.shards WHERE table_name = 'schema_ops_b.items'::regclass ORDER BY 1;

-- ALTER SEQUENCE ... SET SCHEMA: a sequence used by a default moves on the
-- coordinator only (the coordinator fills defaults); an owned one cannot move
CREATE SCHEMA schema_ops_seq;
ALTER SEQUENCE schema_ops_a.tag_seq SET SCHEMA schema_ops_seq;
ALTER SEQUENCE schema_ops_b.items_n_seq SET SCHEMA schema_ops_seq;
INSERT INTO items (id, name) VALUES (22, 'item 22');
INSERT INTO schema_ops_local.items (id, name, n, tag) VALUES (22, 'item 22', 22, 22);
SELECT compare_results('SELECT * FROM schema_ops_b.items', 'SELECT * FROM schema_ops_local.items');
-- an index moves only with its table
ALTER TABLE schema_ops_b.items_name_idx SET SCHEMA schema_ops_a;

-- rolled back: the shards stay where they were
BEGIN;
ALTER TABLE countries SET SCHEMA schema_ops_b;
SELECT count(*) FROM schema_ops_b.countries;
ROLLBACK;
SELECT shard_name FROM shard.shards WHERE table_name = 'schema_ops_a.countries'::regclass ORDER BY 1;
\c - - - :worker_1_port
:worker_objects;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO schema_ops_a, public;

-- ALTER SCHEMA ... RENAME: the shards of every distributed and reference
-- table in it follow
ALTER TABLE countries SET SCHEMA schema_ops_b;
ALTER SCHEMA schema_ops_b RENAME TO schema_ops_c;
SELECT table_name, method FROM shard.tables WHERE table_name::text ~ 'schema_ops' ORDER BY 1;
\c - - - :worker_1_port
:worker_objects;
\c - - - :worker_2_port
:worker_objects;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO schema_ops_c, public;
SELECT compare_results('SELECT * FROM items', 'SELECT * FROM schema_ops_local.items');
SELECT compare_results('SELECT * FROM countries', 'SELECT * FROM schema_ops_local.countries');
SELECT compare_results('SELECT i.id, c.name FROM items i JOIN countries c ON c.code = CASE WHEN i.id % 2 = 0 THEN ''fr'' ELSE ''jp'' END',
                       'SELECT i.id, c.name FROM schema_ops_local.items i JOIN schema_ops_local.countries c ON c.code = CASE WHEN i.id % 2 = 0 THEN ''fr'' ELSE ''jp'' END');
INSERT INTO countries VALUES ('it', 'Italy');
INSERT INTO schema_ops_local.countries VALUES ('it', 'Italy');
DELETE FROM items WHERE id > 18;
DELETE FROM schema_ops_local.items WHERE id > 18;
SELECT compare_results('SELECT * FROM items', 'SELECT * FROM schema_ops_local.items');
SELECT compare_results('SELECT * FROM countries', 'SELECT * FROM schema_ops_local.countries');

-- a rename that a node refuses (it already has a table of a shard's name
-- in the target schema) changes nothing anywhere
SELECT shard_id AS items_shard_1 FROM shard.shards
WHERE table_name = 'schema_ops_c.items'::regclass AND port = :worker_2_port \gset
\c - - - :worker_2_port
CREATE SCHEMA schema_ops_d;
CREATE TABLE schema_ops_d.items_:items_shard_1 (id int);
\c - - - :coordinator_port
SET client_min_messages TO warning;
\set VERBOSITY terse
ALTER SCHEMA schema_ops_c RENAME TO schema_ops_d;
\set VERBOSITY default
SELECT nspname FROM pg_namespace WHERE nspname ~ '^schema_ops_[cd]' ORDER BY 1;
\c - - - :worker_1_port
:worker_objects;
\c - - - :worker_2_port
:worker_objects;
DROP SCHEMA schema_ops_d CASCADE;
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO schema_ops_c, public;
SELECT compare_results('SELECT * FROM items', 'SELECT * FROM schema_ops_local.items');

-- DROP EXTENSION shard is refused while distributed tables exist
SELECT array_agg(t.relid::oid) AS ops_relids FROM shard.dist_table t
JOIN pg_class c ON c.oid = t.relid WHERE c.relnamespace = 'schema_ops_c'::regnamespace \gset
-- (other tests' tables may exist too: the table named and the count vary)
DO $$
DECLARE
	msg text;
	detail text;
	hint text;
BEGIN
	DROP EXTENSION shard;
EXCEPTION WHEN dependent_objects_still_exist THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
	RAISE WARNING E'%\n%\n%', regexp_replace(msg, '"[^"]*"', '"T"'),
		regexp_replace(detail, '^[0-9]+', 'N'), hint;
END $$;
\set VERBOSITY sqlstate
DROP EXTENSION shard CASCADE;
DROP SCHEMA shard CASCADE;
\set VERBOSITY default
SELECT count(*) FROM shard.dist_table WHERE relid::oid = ANY (:'ops_relids');
-- nor can schema shard be renamed (the extension would lose its catalog)
ALTER SCHEMA shard RENAME TO shard_renamed;

-- DROP SCHEMA ... CASCADE drops the shards and forgets the tables
DROP SCHEMA schema_ops_c CASCADE;
SELECT count(*) FROM shard.dist_table WHERE relid::oid = ANY (:'ops_relids');
SELECT count(*) FROM shard.dist_shard WHERE relid::oid = ANY (:'ops_relids');
\c - - - :worker_1_port
:worker_objects;
\c - - - :worker_2_port
:worker_objects;
\c - - - :coordinator_port
DROP SCHEMA schema_ops_a, schema_ops_seq, schema_ops_local CASCADE;
