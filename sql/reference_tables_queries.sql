-- reference_tables_queries: reference tables in queries and writes.  Joins
-- of hash-distributed tables with reference tables run inside the shards
-- (each task reads the reference table's copy on its own node); statements
-- on reference tables only run as one task; UPDATE ... FROM / DELETE ...
-- USING a reference table run per shard; ON CONFLICT into a reference
-- table changes every copy alike.
SET client_min_messages TO warning;
CREATE SCHEMA reference_queries;
SET search_path TO reference_queries, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1800000;

CREATE TABLE orders (id int PRIMARY KEY, customer int, country text, amount numeric);
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL, region text);
CREATE TABLE regions (region text PRIMARY KEY, tax numeric);
INSERT INTO orders
SELECT g, g % 7, (ARRAY['fr', 'de', 'it', 'es', 'xx', NULL])[1 + g % 6], (g * 37 % 101) / 4.0
FROM generate_series(1, 60) g;
INSERT INTO countries VALUES ('fr', 'France', 'west'), ('de', 'Germany', 'central'),
  ('it', 'Italy', 'south'), ('es', 'Spain', 'south'), ('pt', 'Portugal', 'south');
INSERT INTO regions VALUES ('west', 0.2), ('central', 0.19), ('south', 0.22), ('north', 0.25);
CREATE TABLE orders_local (LIKE orders INCLUDING ALL);
CREATE TABLE countries_local (LIKE countries INCLUDING ALL);
CREATE TABLE regions_local (LIKE regions INCLUDING ALL);
INSERT INTO orders_local SELECT * FROM orders;
INSERT INTO countries_local SELECT * FROM countries;
INSERT INTO regions_local SELECT * FROM regions;
SELECT shard.create_distributed_table('orders', 'id', shard_count => 4);
SELECT shard.create_reference_table('countries');
SELECT shard.create_reference_table('regions');

SELECT shard_id, table_name::text FROM shard.shards
WHERE table_name::text IN ('orders', 'countries', 'regions') ORDER BY shard_id;

-- md5 of a copy's rows, run on each worker
\set copy_sum 'SELECT count(*) AS n, md5(string_agg(t::text, '','' ORDER BY t::text)) AS sum FROM '

-- joins with reference tables run inside the shards
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name FROM orders o LEFT JOIN countries c ON c.code = o.country;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.region, sum(o.amount) FROM orders o JOIN countries c ON c.code = o.country
JOIN regions r ON r.region = c.region GROUP BY r.region;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM orders o WHERE o.country IN (SELECT code FROM countries WHERE region = 'south');
-- a reference table on the preserved side of an outer join stays on the coordinator
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.code, count(o.id) FROM countries c LEFT JOIN orders o ON o.country = c.code GROUP BY c.code;
-- pinned to one shard: one task on the node of that shard, with its copy there
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name, r.tax FROM orders o JOIN countries c ON c.code = o.country
JOIN regions r USING (region) WHERE o.id = 9;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country WHERE o.id = 6;
PREPARE pinned(int) AS
SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country WHERE o.id = $1;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE pinned(7);
-- reference tables only: one task on one node
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.region, count(*), max(r.tax) FROM countries c JOIN regions r USING (region) GROUP BY 1;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM countries WHERE region IN (SELECT region FROM regions WHERE tax > 0.2);

SELECT compare_results('SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country',
  'SELECT o.id, c.name FROM orders_local o JOIN countries_local c ON c.code = o.country');
SELECT compare_results('SELECT o.id, c.name FROM orders o LEFT JOIN countries c ON c.code = o.country',
  'SELECT o.id, c.name FROM orders_local o LEFT JOIN countries_local c ON c.code = o.country');
SELECT compare_results('SELECT o.id, c.name FROM orders o RIGHT JOIN countries c ON c.code = o.country',
  'SELECT o.id, c.name FROM orders_local o RIGHT JOIN countries_local c ON c.code = o.country');
SELECT compare_results('SELECT o.id, c.name FROM orders o FULL JOIN countries c ON c.code = o.country',
  'SELECT o.id, c.name FROM orders_local o FULL JOIN countries_local c ON c.code = o.country');
SELECT compare_results(
  'SELECT r.region, sum(o.amount), count(*) FROM orders o JOIN countries c ON c.code = o.country JOIN regions r ON r.region = c.region GROUP BY r.region',
  'SELECT r.region, sum(o.amount), count(*) FROM orders_local o JOIN countries_local c ON c.code = o.country JOIN regions_local r ON r.region = c.region GROUP BY r.region');
SELECT compare_results(
  'SELECT o.customer, c.region, avg(o.amount) FROM orders o LEFT JOIN countries c ON c.code = o.country GROUP BY 1, 2',
  'SELECT o.customer, c.region, avg(o.amount) FROM orders_local o LEFT JOIN countries_local c ON c.code = o.country GROUP BY 1, 2');
SELECT compare_results('SELECT o.id FROM orders o WHERE o.country IN (SELECT code FROM countries WHERE region = ''south'')',
  'SELECT o.id FROM orders_local o WHERE o.country IN (SELECT code FROM countries_local WHERE region = ''south'')');
SELECT compare_results('SELECT o.id FROM orders o WHERE o.country NOT IN (SELECT code FROM countries)',
  'SELECT o.id FROM orders_local o WHERE o.country NOT IN (SELECT code FROM countries_local)');
SELECT compare_results('SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM countries c WHERE c.code = o.country)',
  'SELECT o.id FROM orders_local o WHERE NOT EXISTS (SELECT 1 FROM countries_local c WHERE c.code = o.country)');
SELECT compare_results(
  'SELECT c.code, count(o.id) FROM countries c LEFT JOIN orders o ON o.country = c.code GROUP BY c.code',
  'SELECT c.code, count(o.id) FROM countries_local c LEFT JOIN orders_local o ON o.country = c.code GROUP BY c.code');
SELECT compare_results(
  'SELECT o.id, x.name FROM orders o JOIN (SELECT * FROM countries ORDER BY code LIMIT 2) x ON x.code = o.country',
  'SELECT o.id, x.name FROM orders_local o JOIN (SELECT * FROM countries_local ORDER BY code LIMIT 2) x ON x.code = o.country');
SELECT compare_results(
  'SELECT o.id, c.name, r.tax FROM orders o JOIN countries c ON c.code = o.country JOIN regions r USING (region) WHERE o.id = 9',
  'SELECT o.id, c.name, r.tax FROM orders_local o JOIN countries_local c ON c.code = o.country JOIN regions_local r USING (region) WHERE o.id = 9');
SELECT compare_results('EXECUTE pinned(7)',
  'SELECT o.id, c.name FROM orders_local o JOIN countries_local c ON c.code = o.country WHERE o.id = 7');
SELECT compare_results(
  'SELECT c.region, count(*), max(r.tax) FROM countries c JOIN regions r USING (region) GROUP BY 1',
  'SELECT c.region, count(*), max(r.tax) FROM countries_local c JOIN regions_local r USING (region) GROUP BY 1');
SELECT compare_results(
  'SELECT r.region, (SELECT count(*) FROM countries c WHERE c.region = r.region) FROM regions r ORDER BY 1',
  'SELECT r.region, (SELECT count(*) FROM countries_local c WHERE c.region = r.region) FROM regions_local r ORDER BY 1', true);
SELECT compare_results(
  'WITH s AS (SELECT region FROM regions WHERE tax > 0.2) SELECT c.name FROM countries c JOIN s USING (region) ORDER BY 1 LIMIT 2',
  'WITH s AS (SELECT region FROM regions_local WHERE tax > 0.2) SELECT c.name FROM countries_local c JOIN s USING (region) ORDER BY 1 LIMIT 2', true);

-- UPDATE ... FROM and DELETE ... USING a reference table: per shard
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE orders o SET amount = o.amount * (1 + r.tax) FROM countries c, regions r
WHERE c.code = o.country AND r.region = c.region;
UPDATE orders o SET amount = o.amount * (1 + r.tax) FROM countries c, regions r
WHERE c.code = o.country AND r.region = c.region;
UPDATE orders_local o SET amount = o.amount * (1 + r.tax) FROM countries_local c, regions_local r
WHERE c.code = o.country AND r.region = c.region;
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE orders o SET amount = 0 FROM countries c WHERE c.code = o.country AND o.id = 8 RETURNING o.id, c.name;
UPDATE orders o SET amount = 0 FROM countries c WHERE c.code = o.country AND o.id = 8 RETURNING o.id, c.name;
UPDATE orders_local o SET amount = 0 FROM countries_local c WHERE c.code = o.country AND o.id = 8;
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM orders o USING countries c WHERE c.code = o.country AND c.region = 'south';
DELETE FROM orders o USING countries c WHERE c.code = o.country AND c.region = 'south';
DELETE FROM orders_local o USING countries_local c WHERE c.code = o.country AND c.region = 'south';
DELETE FROM orders o WHERE o.country NOT IN (SELECT code FROM countries) AND o.customer = 3;
DELETE FROM orders_local o WHERE o.country NOT IN (SELECT code FROM countries_local) AND o.customer = 3;
SELECT compare_results('SELECT * FROM orders', 'SELECT * FROM orders_local');

-- writes to reference tables reading reference tables: every copy
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE countries c SET name = c.name || ' (' || r.tax || ')' FROM regions r WHERE r.region = c.region;
UPDATE countries c SET name = c.name || ' (' || r.tax || ')' FROM regions r WHERE r.region = c.region
RETURNING c.code, c.name;
UPDATE countries_local c SET name = c.name || ' (' || r.tax || ')' FROM regions_local r WHERE r.region = c.region;
DELETE FROM regions WHERE region NOT IN (SELECT region FROM countries WHERE region IS NOT NULL);
DELETE FROM regions_local WHERE region NOT IN (SELECT region FROM countries_local WHERE region IS NOT NULL);
-- each copy would compute its own value, or the statement reads shards of other nodes
UPDATE regions SET tax = random();
DELETE FROM regions WHERE tax < random();
UPDATE countries SET region = 'west' WHERE code IN (SELECT country FROM orders);
UPDATE countries c SET region = 'west' FROM orders o WHERE o.country = c.code AND o.id = 1;

-- INSERT ... ON CONFLICT into a reference table: every copy, rows once
INSERT INTO countries VALUES ('fr', 'France', 'west'), ('nl', 'Netherlands', 'west')
ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region
RETURNING code, name;
INSERT INTO countries_local VALUES ('fr', 'France', 'west'), ('nl', 'Netherlands', 'west')
ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region;
INSERT INTO countries VALUES ('nl', 'Nederland', 'west'), ('be', 'Belgium', 'west')
ON CONFLICT DO NOTHING RETURNING code;
INSERT INTO countries_local VALUES ('nl', 'Nederland', 'west'), ('be', 'Belgium', 'west')
ON CONFLICT DO NOTHING;
INSERT INTO countries VALUES ('de', 'x', 'x') ON CONFLICT (code) DO UPDATE SET region = countries.region || '!'
WHERE countries.region <> 'south';
INSERT INTO countries_local VALUES ('de', 'x', 'x') ON CONFLICT (code) DO UPDATE SET region = countries_local.region || '!'
WHERE countries_local.region <> 'south';
-- the coordinator's now(): the same on every copy
INSERT INTO regions VALUES ('east', 0.1) ON CONFLICT (region) DO UPDATE SET tax = 0;
INSERT INTO regions VALUES ('east', 0.3) ON CONFLICT (region) DO UPDATE
SET tax = extract(epoch FROM now())::numeric % 1 + 0.5;
INSERT INTO regions VALUES ('east', 0.3) ON CONFLICT (region) DO UPDATE SET tax = random();
SELECT tax >= 0.5 AND tax < 1.5 AS tax_set FROM regions WHERE region = 'east';
DELETE FROM regions WHERE region = 'east';
SELECT compare_results('SELECT * FROM countries', 'SELECT * FROM countries_local');
SELECT compare_results('SELECT * FROM regions', 'SELECT * FROM regions_local');

-- INSERT ... SELECT from a reference table into a distributed one
INSERT INTO orders (id, customer, country, amount)
SELECT 1000 + row_number() OVER (ORDER BY code), 99, code, 1 FROM countries;
INSERT INTO orders_local (id, customer, country, amount)
SELECT 1000 + row_number() OVER (ORDER BY code), 99, code, 1 FROM countries_local;
INSERT INTO orders SELECT o.id + 2000, o.customer, c.code, o.amount
FROM orders o JOIN countries c ON c.code = o.country;
INSERT INTO orders_local SELECT o.id + 2000, o.customer, c.code, o.amount
FROM orders_local o JOIN countries_local c ON c.code = o.country;
SELECT compare_results('SELECT * FROM orders', 'SELECT * FROM orders_local');

-- every copy holds the same rows
\c - - - :worker_1_port
:copy_sum reference_queries.countries_1800004 t \gset w1_countries_
:copy_sum reference_queries.regions_1800005 t \gset w1_regions_
\c - - - :worker_2_port
:copy_sum reference_queries.countries_1800004 t \gset w2_countries_
:copy_sum reference_queries.regions_1800005 t \gset w2_regions_
\c - - - :coordinator_port
SET search_path TO reference_queries, public;
SET client_min_messages TO warning;
SELECT :'w1_countries_sum' = :'w2_countries_sum' AS countries_identical, :w1_countries_n AS countries_rows,
       :'w1_regions_sum' = :'w2_regions_sum' AS regions_identical, :w1_regions_n AS regions_rows;
SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) = :'w1_countries_sum' AS countries_match_local
FROM countries_local t;

DROP SCHEMA reference_queries CASCADE;
