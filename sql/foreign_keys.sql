-- foreign_keys: foreign keys in every arrangement of distributed,
-- reference and local tables are enforced as on one server: the same
-- statements on local tables (fk_local) and on distributed ones (fk_dist)
-- give the same errors and leave the same rows.  Keys that one shard group
-- cannot check are enforced by the coordinator.
SET client_min_messages TO warning;
\getenv abs_srcdir PG_ABS_SRCDIR
ALTER SEQUENCE shard.shard_id_seq RESTART 1950000;
CREATE SCHEMA fk_local;
CREATE SCHEMA fk_dist;

-- the same schema twice
\set schema_sql 'CREATE TABLE users (id bigint PRIMARY KEY, name text); CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id), PRIMARY KEY (user_id, id)); CREATE TABLE order_items (order_id bigint, user_id bigint, item int, ref_user bigint, PRIMARY KEY (order_id, item), FOREIGN KEY (user_id, order_id) REFERENCES orders (user_id, id) MATCH FULL ON DELETE CASCADE); CREATE TABLE notes (id int PRIMARY KEY, uid bigint REFERENCES users (id) ON DELETE SET NULL); CREATE TABLE memos (id int PRIMARY KEY, uid bigint DEFAULT 4 REFERENCES users (id) ON DELETE SET DEFAULT); CREATE TABLE tags (id int PRIMARY KEY, uid bigint REFERENCES users (id) ON DELETE RESTRICT); CREATE TABLE regions (id int PRIMARY KEY); CREATE TABLE cities (id int PRIMARY KEY, region_id int REFERENCES regions (id) ON DELETE CASCADE); CREATE TABLE shops (id int PRIMARY KEY, region_id int REFERENCES regions (id)); CREATE TABLE palette (color text PRIMARY KEY); CREATE TABLE labels (code text PRIMARY KEY, owner bigint REFERENCES users (id), color text REFERENCES palette (color)); CREATE TABLE plain (id int, label text REFERENCES labels (code) ON UPDATE CASCADE); CREATE TABLE accounts (tenant int, id int, PRIMARY KEY (tenant, id)); CREATE TABLE acc_items (id int PRIMARY KEY, tenant int, acc int, FOREIGN KEY (tenant, acc) REFERENCES accounts ON UPDATE CASCADE ON DELETE CASCADE); CREATE TABLE acc_notes (id int PRIMARY KEY, tenant int, acc int, FOREIGN KEY (tenant, acc) REFERENCES accounts ON UPDATE SET NULL); CREATE TABLE acc_refs (id int PRIMARY KEY, tenant int, acc int, FOREIGN KEY (tenant, acc) REFERENCES accounts ON UPDATE RESTRICT); CREATE TABLE audit (id int PRIMARY KEY, note_id int REFERENCES notes (id) DEFERRABLE INITIALLY DEFERRED); CREATE TABLE drafts (id int PRIMARY KEY, note_id int REFERENCES notes (id) DEFERRABLE); INSERT INTO users VALUES (1, $$a$$), (2, $$b$$), (3, $$c$$), (4, $$d$$); INSERT INTO orders VALUES (10, 1), (11, 2); INSERT INTO order_items VALUES (10, 1, 1, NULL), (11, 2, 1, NULL), (11, 2, 2, NULL); INSERT INTO notes VALUES (1, 1), (2, 2); INSERT INTO memos VALUES (1, 2), (2, 1); INSERT INTO tags VALUES (1, 3); INSERT INTO regions VALUES (1), (2); INSERT INTO cities VALUES (1, 1), (2, 2); INSERT INTO shops VALUES (1, 2); INSERT INTO palette VALUES ($$red$$); INSERT INTO accounts VALUES (1, 1), (1, 2), (2, 1); INSERT INTO acc_items VALUES (1, 1, 1), (2, 2, 1); INSERT INTO acc_notes VALUES (1, 1, 1); INSERT INTO acc_refs VALUES (1, 1, 2);'
SET search_path TO fk_local;
:schema_sql
SET search_path TO fk_dist;
:schema_sql

-- distributed in the order the tables were written (referenced first);
-- tags, regions, palette and plain stay local
SELECT shard.create_distributed_table('users', 'id', shard_count => 4);
SELECT shard.create_distributed_table('orders', 'user_id', colocate_with => 'users');
SELECT shard.create_distributed_table('order_items', 'order_id', shard_count => 3);
SELECT shard.create_distributed_table('notes', 'id', colocate_with => 'users');
SELECT shard.create_distributed_table('memos', 'id', colocate_with => 'users');
SELECT shard.create_distributed_table('cities', 'id', colocate_with => 'users');
SELECT shard.create_distributed_table('shops', 'id', colocate_with => 'users');
SELECT shard.create_reference_table('labels');
SELECT shard.create_distributed_table('audit', 'id', shard_count => 3);
SELECT shard.create_distributed_table('accounts', 'tenant', shard_count => 4, colocate_with => 'none');
SELECT shard.create_distributed_table('acc_items', 'id', colocate_with => 'audit');
SELECT shard.create_distributed_table('acc_notes', 'id', colocate_with => 'audit');
SELECT shard.create_distributed_table('acc_refs', 'id', colocate_with => 'audit');
SELECT shard.create_distributed_table('drafts', 'id', colocate_with => 'audit');

-- every constraint stays on the coordinator's tables
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fk_dist'::regnamespace
ORDER BY 1, 2;

-- only orders -> users is co-located on the distribution columns: the
-- shards have it; the coordinator enforces the others
\c - - - :worker_1_port
SELECT DISTINCT regexp_replace(conrelid::regclass::text, '_[0-9]+$', '') AS shard_of, conname
FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fk_dist'::regnamespace ORDER BY 1;
\c - - - :coordinator_port
SET client_min_messages TO warning;

SET search_path TO fk_local;
\i :abs_srcdir/sql/foreign_keys_workload.psql
SET search_path TO fk_dist;
\i :abs_srcdir/sql/foreign_keys_workload.psql

-- not yet: ON CONFLICT DO UPDATE SET of a key column to anything but
-- EXCLUDED's value when the coordinator enforces the key
INSERT INTO fk_dist.notes VALUES (4, 1) ON CONFLICT (id) DO UPDATE SET uid = 1;
-- TRUNCATE ... CASCADE of a local table that distributed tables reference
-- would empty their coordinator tables only
TRUNCATE fk_dist.regions CASCADE;

-- the same rows in both schemas (EXCEPT ALL both ways is empty)
CREATE FUNCTION fk_local.differing_rows(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT * FROM fk_local.%1$I EXCEPT ALL SELECT * FROM fk_dist.%1$I)'
                 ' UNION ALL (SELECT * FROM fk_dist.%1$I EXCEPT ALL SELECT * FROM fk_local.%1$I)) d', t)
    INTO n;
  RETURN n;
END $$;
SELECT t, fk_local.differing_rows(t)
FROM unnest(ARRAY['users', 'orders', 'order_items', 'notes', 'memos', 'tags', 'regions', 'cities',
                  'shops', 'labels', 'plain', 'audit', 'accounts', 'acc_items', 'acc_notes',
                  'acc_refs', 'drafts']) t
ORDER BY 1;
SELECT * FROM fk_dist.order_items ORDER BY 1, 3;
SELECT * FROM fk_dist.notes ORDER BY 1;
SELECT * FROM fk_dist.memos ORDER BY 1;
SET client_min_messages TO warning;
DROP SCHEMA fk_local, fk_dist CASCADE;
RESET client_min_messages;
RESET search_path;
