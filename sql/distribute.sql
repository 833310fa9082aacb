-- distribute: create_distributed_table validates, creates shards with the
-- table's definition, moves the rows, and puts every row on its shard.
SET client_min_messages TO warning;
CREATE SCHEMA distribute;
SET search_path TO distribute;
ALTER SEQUENCE shard.shard_id_seq RESTART 1020000;

CREATE TABLE items (
	id bigint PRIMARY KEY,
	name text NOT NULL DEFAULT 'unnamed',
	price numeric(10,2) CHECK (price >= 0),
	tags text[],
	created timestamptz DEFAULT '2020-01-01 00:00:00+00',
	UNIQUE (id, name)
);
CREATE INDEX items_name_idx ON items (lower(name)) WHERE price > 0;
INSERT INTO items (id, name, price, tags)
SELECT g, 'item ' || g, (g % 100) * 1.5, ARRAY['t' || (g % 7)]
FROM generate_series(1, 1000) g;
-- the oracle: a local copy of the same rows
CREATE TABLE items_local AS SELECT * FROM items;

-- errors
SELECT shard.create_distributed_table('no_such_table', 'id');
SELECT shard.create_distributed_table('items', 'no_such_column');
SELECT shard.create_distributed_table('items', 'id', shard_count => 0);
SELECT shard.create_distributed_table('items', 'ctid');
CREATE VIEW items_view AS SELECT * FROM items;
SELECT shard.create_distributed_table('items_view', 'id');
CREATE TABLE pk_elsewhere (id int PRIMARY KEY, k int);
SELECT shard.create_distributed_table('pk_elsewhere', 'k');
CREATE TABLE no_hash (id int, j json);
SELECT shard.create_distributed_table('no_hash', 'j');
CREATE TEMP TABLE temp_items (id int);
SELECT shard.create_distributed_table('temp_items', 'id');
-- tables with foreign keys can be distributed: see foreign_keys.sql
CREATE TABLE this_table_name_is_much_too_long_to_carry_a_shard_id_suffix (id int);
SELECT shard.create_distributed_table('this_table_name_is_much_too_long_to_carry_a_shard_id_suffix', 'id');
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE moods (id int, m mood);
SELECT shard.create_distributed_table('moods', 'id');
CREATE TABLE partitioned (id int) PARTITION BY HASH (id);
SELECT shard.create_distributed_table('partitioned', 'id');
CREATE TABLE gen (id int, twice int GENERATED ALWAYS AS (id * 2) STORED);
SELECT shard.create_distributed_table('gen', 'id');

-- success: rows move to the shards in the same transaction
SELECT shard.create_distributed_table('items', 'id', shard_count => 8);
SELECT shard.create_distributed_table('items', 'id');
SELECT table_name, method, distribution_column, shard_count FROM shard.tables
WHERE table_name = 'items'::regclass;
SELECT shard_id, shard_index, hash_min, hash_max, port, shard_name
FROM shard.shards WHERE table_name = 'items'::regclass ORDER BY shard_index;
SELECT count(*), count(DISTINCT shard_id) FROM shard.placements
WHERE table_name = 'items'::regclass;

-- same rows as the local copy, both ways
SELECT count(*) FROM items;
SELECT count(*) FROM (SELECT * FROM items EXCEPT ALL SELECT * FROM items_local) d;
SELECT count(*) FROM (SELECT * FROM items_local EXCEPT ALL SELECT * FROM items) d;

-- every row is on exactly one shard, and on the one its hash says: each
-- worker checks its own shards against the hash ranges of the catalog
SELECT hashint8(42) = shard.hash_value('items', '42') AS int8_hash_matches,
       hashint4(42) = shard.hash_value('items', '42') AS int4_hashes_alike;
SELECT string_agg(format('SELECT %s AS shard_id, id, hashint8(id) BETWEEN %s AND %s AS in_range FROM %s',
                         shard_id, hash_min, hash_max, shard_name), ' UNION ALL ')
       AS worker_1_rows
FROM shard.shards WHERE table_name = 'items'::regclass AND port = :worker_1_port \gset
SELECT string_agg(format('SELECT %s AS shard_id, id, hashint8(id) BETWEEN %s AND %s AS in_range FROM %s',
                         shard_id, hash_min, hash_max, shard_name), ' UNION ALL ')
       AS worker_2_rows
FROM shard.shards WHERE table_name = 'items'::regclass AND port = :worker_2_port \gset
\c - - - :worker_1_port
CREATE TEMP TABLE placed AS :worker_1_rows;
SELECT count(*) AS rows, count(DISTINCT id) AS ids, bool_and(in_range) AS all_in_range,
       count(DISTINCT shard_id) AS shards FROM placed;
SELECT string_agg(id::text, ',') AS worker_1_ids FROM placed \gset
-- the shard carries the table's constraints, defaults and indexes
SELECT indexdef LIKE '%lower(name)%WHERE (price > (0)::numeric)%' AS has_partial_index
FROM pg_indexes WHERE tablename = 'items_1020000' AND indexdef LIKE '%lower%';
SELECT count(*) FROM pg_indexes WHERE tablename = 'items_1020000';
INSERT INTO distribute.items_1020000 (id, price) VALUES (-1, -5);
\c - - - :worker_2_port
CREATE TEMP TABLE placed AS :worker_2_rows;
SELECT count(*) AS rows, count(DISTINCT id) AS ids, bool_and(in_range) AS all_in_range,
       count(DISTINCT shard_id) AS shards FROM placed;
SELECT count(*) AS on_both_workers FROM placed WHERE id IN (:worker_1_ids);
\c - - - :coordinator_port
SET search_path TO distribute;
SET client_min_messages TO warning;

-- a worker that fails leaves nothing behind: the table stays local
CREATE TABLE failing (id int PRIMARY KEY, v text);
INSERT INTO failing SELECT g, 'v' || g FROM generate_series(1, 100) g;
\c - - - :worker_2_port
CREATE TABLE distribute.failing_1020009 (blocker int);
\c - - - :coordinator_port
SET search_path TO distribute;
SELECT shard.create_distributed_table('failing', 'id', shard_count => 4);
SELECT count(*) FROM shard.tables WHERE table_name = 'failing'::regclass;
SELECT count(*) FROM failing;
\c - - - :worker_1_port
SELECT count(*) AS leftover_shards FROM pg_tables WHERE tablename LIKE 'failing%';
\c - - - :worker_2_port
SELECT tablename FROM pg_tables WHERE tablename LIKE 'failing%';
DROP TABLE distribute.failing_1020009;
\c - - - :coordinator_port
SET search_path TO distribute;
SET client_min_messages TO warning;

-- co-location: same shard count and type by default; explicit colocate_with
CREATE TABLE other (id bigint, v int);
SELECT shard.create_distributed_table('other', 'id', shard_count => 8);
CREATE TABLE alone (id bigint);
SELECT shard.create_distributed_table('alone', 'id', shard_count => 8, colocate_with => 'none');
CREATE TABLE small (id int);
SELECT shard.create_distributed_table('small', 'id', colocate_with => 'items');
SELECT shard.create_distributed_table('small', 'id', shard_count => 4, colocate_with => 'items');
SELECT t.table_name, t.colocation_id = i.colocation_id AS colocated_with_items
FROM shard.tables t, shard.tables i
WHERE i.table_name = 'items'::regclass
  AND t.table_name IN ('other'::regclass, 'alone'::regclass, 'small'::regclass)
ORDER BY 1;
SELECT count(*) AS shards_on_different_nodes
FROM shard.shards a JOIN shard.shards b USING (shard_index)
WHERE a.table_name = 'items'::regclass AND b.table_name = 'small'::regclass
  AND a.node_id <> b.node_id;

-- DROP TABLE drops the shards (also through DROP SCHEMA ... CASCADE)
DROP TABLE other;
SELECT count(*) FROM shard.shards WHERE table_name::text = 'other';
\c - - - :worker_1_port
SELECT count(*) AS other_shards FROM pg_tables WHERE tablename LIKE 'other\_%';
\c - - - :coordinator_port
SET client_min_messages TO warning;
DROP SCHEMA distribute CASCADE;
SELECT count(*) FROM shard.tables;
\c - - - :worker_1_port
SELECT count(*) AS leftover FROM pg_tables WHERE schemaname = 'distribute';
\c - - - :worker_2_port
SELECT count(*) AS leftover FROM pg_tables WHERE schemaname = 'distribute';
