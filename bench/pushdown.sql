-- bench/pushdown.sql: multi-shard aggregate and join shapes on 2M rows in
-- 32 shards, against the same queries on plain local tables on the
-- coordinator.  Run with psql against a cluster with two workers:
--   psql -X -f bench/pushdown.sql
-- (\timing on; each query runs 3 times; take the median).
SET client_min_messages TO warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SET search_path TO bench;
CREATE TABLE items (id bigint, g int, h int, v int);
CREATE TABLE items2 (id bigint, w int);
INSERT INTO items SELECT i, i % 100, ((i::bigint * 7919) % 500000)::int, i % 1000 FROM generate_series(1, 2000000) i;
INSERT INTO items2 SELECT i, i % 37 FROM generate_series(1, 2000000) i;
CREATE TABLE items_local AS SELECT * FROM items;
CREATE TABLE items2_local AS SELECT * FROM items2;
SELECT shard.create_distributed_table('items', 'id', shard_count => 32);
SELECT shard.create_distributed_table('items2', 'id', shard_count => 32, colocate_with => 'items');
VACUUM ANALYZE items_local;
VACUUM ANALYZE items2_local;
\timing on
\o /dev/null
SELECT count(*) FROM items;
SELECT count(*) FROM items;
SELECT count(*) FROM items;
SELECT count(*) FROM items_local;
SELECT count(*) FROM items_local;
SELECT count(*) FROM items_local;
SELECT g, sum(v), avg(v) FROM items GROUP BY g;
SELECT g, sum(v), avg(v) FROM items GROUP BY g;
SELECT g, sum(v), avg(v) FROM items GROUP BY g;
SELECT g, sum(v), avg(v) FROM items_local GROUP BY g;
SELECT g, sum(v), avg(v) FROM items_local GROUP BY g;
SELECT g, sum(v), avg(v) FROM items_local GROUP BY g;
SELECT h, count(*) FROM items GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT h, count(*) FROM items GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT h, count(*) FROM items GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT h, count(*) FROM items_local GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT h, count(*) FROM items_local GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT h, count(*) FROM items_local GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT a.g, count(*), sum(a.v + b.w) FROM items a JOIN items2 b ON a.id = b.id GROUP BY a.g;
SELECT a.g, count(*), sum(a.v + b.w) FROM items a JOIN items2 b ON a.id = b.id GROUP BY a.g;
SELECT a.g, count(*), sum(a.v + b.w) FROM items a JOIN items2 b ON a.id = b.id GROUP BY a.g;
SELECT a.g, count(*), sum(a.v + b.w) FROM items_local a JOIN items2_local b ON a.id = b.id GROUP BY a.g;
SELECT a.g, count(*), sum(a.v + b.w) FROM items_local a JOIN items2_local b ON a.id = b.id GROUP BY a.g;
SELECT a.g, count(*), sum(a.v + b.w) FROM items_local a JOIN items2_local b ON a.id = b.id GROUP BY a.g;
-- the same distributed queries on the coordinator-side path, for reference
SET shard.enable_pushdown TO off;
SELECT count(*) FROM items;
SELECT g, sum(v), avg(v) FROM items GROUP BY g;
SELECT h, count(*) FROM items GROUP BY h ORDER BY count(*) DESC, h LIMIT 10;
SELECT a.g, count(*), sum(a.v + b.w) FROM items a JOIN items2 b ON a.id = b.id GROUP BY a.g;
RESET shard.enable_pushdown;
\o
\timing off
DROP SCHEMA bench CASCADE;
