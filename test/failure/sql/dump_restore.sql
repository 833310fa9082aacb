-- dump_restore: pg_dump of the coordinator keeps the shells of distributed
-- tables (no rows: those stay on the workers), shard's catalog and its
-- sequences.  Its own database shard_dump (the workers get one of the same
-- name, where the nodes are reached) is dropped on the coordinator only and
-- restored from the dump, first with psql from a plain dump, then with
-- pg_restore from a custom one, then from a dump made with --inserts: the
-- same shards answer the same queries,
-- writes and DDL work again, new shard ids do not collide.  Results before
-- and after are kept in files; rows are also compared with local copies,
-- which the dump carries as ordinary tables.
SET client_min_messages TO warning;
\getenv test_dir SHARD_TEST_DIR
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $WORKER_1_PORT -c 'CREATE DATABASE shard_dump'
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $WORKER_2_PORT -c 'CREATE DATABASE shard_dump'
CREATE DATABASE shard_dump;
\c shard_dump
SET client_min_messages TO warning;
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', :worker_1_port) > 0 AS added;
SELECT shard.add_node('127.0.0.1', :worker_2_port) > 0 AS added;
ALTER SEQUENCE shard.shard_id_seq RESTART 1950000;

-- hash tables co-located with a foreign key between them, an index, a
-- serial column, a reference table, in public and in another schema
CREATE SCHEMA app;
CREATE TABLE app.users (id int PRIMARY KEY, name text NOT NULL, n serial);
CREATE INDEX users_name_idx ON app.users (name);
CREATE TABLE orders (id int, user_id int, amount numeric, PRIMARY KEY (user_id, id));
CREATE TABLE countries (code text PRIMARY KEY, name text);
INSERT INTO app.users (id, name) SELECT g, 'user ' || g FROM generate_series(1, 40) g;
INSERT INTO orders SELECT g, 1 + g % 40, g * 1.5 FROM generate_series(1, 200) g;
INSERT INTO countries VALUES ('fr', 'France'), ('jp', 'Japan');
CREATE TABLE users_local AS SELECT * FROM app.users;
CREATE TABLE orders_local AS SELECT * FROM orders;
CREATE TABLE countries_local AS SELECT * FROM countries;
SELECT shard.create_distributed_table('app.users', 'id', shard_count => 4);
SELECT shard.create_distributed_table('orders', 'user_id', colocate_with => 'app.users');
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES app.users (id);
SELECT shard.create_reference_table('countries');

-- the results to find again after each restore
\set results 'SELECT ''users'', count(*), sum(id), string_agg(name, '','' ORDER BY id) FROM app.users UNION ALL SELECT ''orders'', count(*), sum(amount), string_agg(id::text, '','' ORDER BY user_id, id) FROM orders UNION ALL SELECT ''countries'', count(*), NULL, string_agg(code || name, '','' ORDER BY code) FROM countries UNION ALL SELECT ''shards'', count(*), sum(shard_id), string_agg(shard_name || ''@'' || node_id, '','' ORDER BY shard_id, node_id) FROM shard.shards'
\set differences 'SELECT (SELECT count(*) FROM ((TABLE app.users EXCEPT ALL TABLE users_local) UNION ALL (TABLE users_local EXCEPT ALL TABLE app.users)) d) AS users, (SELECT count(*) FROM ((TABLE orders EXCEPT ALL TABLE orders_local) UNION ALL (TABLE orders_local EXCEPT ALL TABLE orders)) d) AS orders, (SELECT count(*) FROM ((TABLE countries EXCEPT ALL TABLE countries_local) UNION ALL (TABLE countries_local EXCEPT ALL TABLE countries)) d) AS countries'
:differences;
\o :test_dir/dump_restore_before.out
:results;
\o
SELECT last_value AS shard_id_before FROM shard.shard_id_seq \gset

-- pg_dump (with its own application_name, which pg_regress overrides)
-- reads the shells, not the shards: the distributed tables' data is empty,
-- the local copies and shard's catalog are there
\! env -u PGAPPNAME $PG_BINDIR/pg_dump -h 127.0.0.1 -p $COORDINATOR_PORT -f $SHARD_TEST_DIR/dump_restore.sql shard_dump
\! env -u PGAPPNAME $PG_BINDIR/pg_dump -Fc -h 127.0.0.1 -p $COORDINATOR_PORT -f $SHARD_TEST_DIR/dump_restore.dump shard_dump
\! grep -A1 -E '^COPY (app\.users|public\.orders|public\.countries) ' $SHARD_TEST_DIR/dump_restore.sql
-- with --inserts, pg_dump reads the tables with SELECT: no row either
\! env -u PGAPPNAME $PG_BINDIR/pg_dump --inserts -h 127.0.0.1 -p $COORDINATOR_PORT -f $SHARD_TEST_DIR/dump_restore_inserts.sql shard_dump 2>/dev/null
\! grep -c -E '^INSERT INTO (app\.users|public\.orders|public\.countries) ' $SHARD_TEST_DIR/dump_restore_inserts.sql
\! grep -c -E '^INSERT INTO (public\.[a-z]*_local|shard\.dist_[a-z]*) ' $SHARD_TEST_DIR/dump_restore_inserts.sql
\! grep -c -E '^COPY (public\.[a-z]*_local|shard\.dist_[a-z]*) ' $SHARD_TEST_DIR/dump_restore.sql
\! grep -E "^SELECT pg_catalog.setval\('shard\." $SHARD_TEST_DIR/dump_restore.sql | sed 's/, [0-9]*, true/, N, true/'
-- COPY TO of a distributed table outside pg_dump still reads the shards
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
COPY countries TO STDOUT;
COMMIT;

-- drop the database on the coordinator only, restore it with psql
\c regression
SET client_min_messages TO warning;
DROP DATABASE shard_dump WITH (FORCE);
CREATE DATABASE shard_dump;
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -p $COORDINATOR_PORT -d shard_dump -o /dev/null -f $SHARD_TEST_DIR/dump_restore.sql 2>&1 | sed 's/^psql:[^ ]*: //'
\c shard_dump
SET client_min_messages TO warning;
:differences;
\o :test_dir/dump_restore_after.out
:results;
\o
\! cmp $SHARD_TEST_DIR/dump_restore_before.out $SHARD_TEST_DIR/dump_restore_after.out && echo same results
SELECT last_value = :shard_id_before AS same_shard_id_seq FROM shard.shard_id_seq;

-- a new session sends DDL to the shards again; writes and foreign keys work
CREATE INDEX orders_amount_idx ON orders (amount);
\c - - - :worker_1_port
SELECT count(*) AS shard_indexes FROM pg_class WHERE relname LIKE 'orders\_amount\_idx\_%';
\c - - - :worker_2_port
SELECT count(*) AS shard_indexes FROM pg_class WHERE relname LIKE 'orders\_amount\_idx\_%';
\c - - - :coordinator_port
SET client_min_messages TO warning;
INSERT INTO app.users (id, name) VALUES (41, 'user 41');
INSERT INTO users_local VALUES (41, 'user 41', 41);
INSERT INTO orders VALUES (201, 41, 1);
INSERT INTO orders_local VALUES (201, 41, 1);
\set VERBOSITY terse
INSERT INTO orders VALUES (202, 999, 1);
\set VERBOSITY default
UPDATE orders SET amount = amount + 1 WHERE user_id = 7;
UPDATE orders_local SET amount = amount + 1 WHERE user_id = 7;
:differences;
-- a new table's shard ids continue after the restored ones
CREATE TABLE later (id int PRIMARY KEY);
SELECT shard.create_distributed_table('later', 'id', shard_count => 2);
SELECT min(shard_id) > :shard_id_before AS new_ids FROM shard.shards WHERE table_name = 'later'::regclass;
DROP TABLE later;
DROP INDEX orders_amount_idx;
UPDATE orders SET amount = amount - 1 WHERE user_id = 7;
DELETE FROM orders WHERE id = 201;
DELETE FROM app.users WHERE id = 41;
\o :test_dir/dump_restore_after.out
:results;
\o
\! cmp $SHARD_TEST_DIR/dump_restore_before.out $SHARD_TEST_DIR/dump_restore_after.out && echo same results

-- again, with pg_restore from the custom-format dump
\c regression
SET client_min_messages TO warning;
DROP DATABASE shard_dump WITH (FORCE);
CREATE DATABASE shard_dump;
\! $PG_BINDIR/pg_restore -h 127.0.0.1 -p $COORDINATOR_PORT -d shard_dump $SHARD_TEST_DIR/dump_restore.dump 2>&1 | sed 's/^pg_restore: //'
\c shard_dump
SET client_min_messages TO warning;
\o :test_dir/dump_restore_after.out
:results;
\o
\! cmp $SHARD_TEST_DIR/dump_restore_before.out $SHARD_TEST_DIR/dump_restore_after.out && echo same results
-- the restored shells hold no rows
SELECT pg_relation_size('app.users') + pg_relation_size('orders') + pg_relation_size('countries') AS shell_bytes;
:differences;

-- a dump made with --inserts restores the catalog with INSERT, which does
-- not turn DDL propagation off: it is restored with it off from the start
\c regression
SET client_min_messages TO warning;
DROP DATABASE shard_dump WITH (FORCE);
CREATE DATABASE shard_dump;
\! PGOPTIONS='-c shard.enable_ddl_propagation=off' $PG_BINDIR/psql -X -q -h 127.0.0.1 -p $COORDINATOR_PORT -d shard_dump -o /dev/null -f $SHARD_TEST_DIR/dump_restore_inserts.sql 2>&1 | sed 's/^psql:[^ ]*: //'
\c shard_dump
SET client_min_messages TO warning;
\o :test_dir/dump_restore_after.out
:results;
\o
\! cmp $SHARD_TEST_DIR/dump_restore_before.out $SHARD_TEST_DIR/dump_restore_after.out && echo same results
:differences;
SELECT count(*) AS shell_indexes FROM pg_indexes WHERE tablename IN ('users', 'orders', 'countries');

-- cleanup: the shards go with the tables, then the databases
DROP TABLE orders, app.users, countries;
\c regression
SET client_min_messages TO warning;
DROP DATABASE shard_dump WITH (FORCE);
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $WORKER_1_PORT -c 'DROP DATABASE shard_dump WITH (FORCE)'
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $WORKER_2_PORT -c 'DROP DATABASE shard_dump WITH (FORCE)'
