-- upsert: INSERT ... ON CONFLICT DO NOTHING / DO UPDATE on distributed
-- tables (conflict target with the distribution column, EXCLUDED, WHERE,
-- RETURNING, multi-row VALUES, INSERT ... SELECT), each compared with the
-- same statements on a local table.
SET client_min_messages TO warning;
CREATE SCHEMA upsert;
SET search_path TO upsert, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1310000;

CREATE TABLE kv (k int PRIMARY KEY, v int, note text, hits int DEFAULT 0);
CREATE TABLE kv_local (LIKE kv INCLUDING ALL);
SELECT shard.create_distributed_table('kv', 'k');
INSERT INTO kv SELECT g, g, 'n' || g FROM generate_series(1, 100) g;
INSERT INTO kv_local SELECT g, g, 'n' || g FROM generate_series(1, 100) g;

-- DO NOTHING: row counts and RETURNING only for inserted rows
INSERT INTO kv VALUES (1, -1), (101, 101), (102, 102) ON CONFLICT DO NOTHING RETURNING k, v;
INSERT INTO kv_local VALUES (1, -1), (101, 101), (102, 102) ON CONFLICT DO NOTHING RETURNING k, v;
INSERT INTO kv VALUES (5, -5) ON CONFLICT (k) DO NOTHING;
INSERT INTO kv_local VALUES (5, -5) ON CONFLICT (k) DO NOTHING;
SELECT compare_results('SELECT * FROM kv', 'SELECT * FROM kv_local');

-- DO UPDATE with EXCLUDED, the old value, a WHERE, RETURNING (RETURNING
-- rows come in VALUES order, as on one server; see also sequences)
INSERT INTO kv AS t VALUES (2, 20, 'two'), (32, 30, 'thirty-two'), (227, 227, 'new')
ON CONFLICT (k) DO UPDATE SET v = t.v + EXCLUDED.v, note = EXCLUDED.note || '!', hits = t.hits + 1
RETURNING k, v, note, hits;
INSERT INTO kv_local AS t VALUES (2, 20, 'two'), (32, 30, 'thirty-two'), (227, 227, 'new')
ON CONFLICT (k) DO UPDATE SET v = t.v + EXCLUDED.v, note = EXCLUDED.note || '!', hits = t.hits + 1
RETURNING k, v, note, hits;
INSERT INTO kv AS t VALUES (3, 30, 'three'), (201, 201, 'x') ON CONFLICT (k) DO UPDATE SET v = t.v + EXCLUDED.v;
INSERT INTO kv_local AS t VALUES (3, 30, 'three'), (201, 201, 'x') ON CONFLICT (k) DO UPDATE SET v = t.v + EXCLUDED.v;
INSERT INTO kv VALUES (4, 40), (6, 60) ON CONFLICT ON CONSTRAINT kv_pkey
DO UPDATE SET v = EXCLUDED.v WHERE kv.v < 5;
INSERT INTO kv_local VALUES (4, 40), (6, 60) ON CONFLICT (k)
DO UPDATE SET v = EXCLUDED.v WHERE kv_local.v < 5;
SELECT compare_results('SELECT * FROM kv', 'SELECT * FROM kv_local');

-- many rows: INSERT ... SELECT with ON CONFLICT, from a distributed table
CREATE TABLE src (k int, v int);
SELECT shard.create_distributed_table('src', 'k');
INSERT INTO src SELECT g, g * 3 FROM generate_series(50, 2500) g;
INSERT INTO kv (k, v) SELECT k, v FROM src ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, hits = kv.hits + 10;
INSERT INTO kv_local (k, v) SELECT g, g * 3 FROM generate_series(50, 2500) g
ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, hits = kv_local.hits + 10;
SELECT compare_results('SELECT * FROM kv', 'SELECT * FROM kv_local');
INSERT INTO kv (k, v) SELECT g, 0 FROM generate_series(2490, 2510) g ON CONFLICT DO NOTHING;
INSERT INTO kv_local (k, v) SELECT g, 0 FROM generate_series(2490, 2510) g ON CONFLICT DO NOTHING;
SELECT compare_results('SELECT * FROM kv', 'SELECT * FROM kv_local');

-- inside a transaction, rolled back
BEGIN;
INSERT INTO kv VALUES (1, 0) ON CONFLICT (k) DO UPDATE SET v = 0;
SELECT v FROM kv WHERE k = 1;
ROLLBACK;
SELECT v FROM kv WHERE k = 1;

-- a serial key from the coordinator with upserts
CREATE TABLE counters (id bigserial, name text, n int, UNIQUE (name, id));
SELECT shard.create_distributed_table('counters', 'id');
INSERT INTO counters (name, n) SELECT 'c' || g, 1 FROM generate_series(1, 50) g ON CONFLICT DO NOTHING;
SELECT count(*), count(DISTINCT id) FROM counters;

-- errors: conflict target without the distribution column, changing it
CREATE TABLE u2 (k int, email text, PRIMARY KEY (k, email));
SELECT shard.create_distributed_table('u2', 'k');
INSERT INTO kv VALUES (1, 1) ON CONFLICT (k) DO UPDATE SET k = 5;
INSERT INTO u2 VALUES (1, 'a') ON CONFLICT (k, email) DO UPDATE SET k = 2;
INSERT INTO u2 VALUES (1, 'a') ON CONFLICT (k, email) DO NOTHING;
INSERT INTO u2 VALUES (1, 'a') ON CONFLICT (k, email) DO UPDATE SET email = 'b' RETURNING *;
CREATE SEQUENCE s;
INSERT INTO kv VALUES (1, 1) ON CONFLICT (k) DO UPDATE SET v = nextval('s');
EXPLAIN (COSTS OFF) INSERT INTO kv VALUES (1, 1) ON CONFLICT (k) DO NOTHING;

DROP SCHEMA upsert CASCADE;
