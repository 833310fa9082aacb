-- reference_tables: a full copy on every node; writes reach every copy in
-- the coordinator's transaction, or none; reads use one copy.
SET client_min_messages TO warning;
CREATE SCHEMA reference_tables;
SET search_path TO reference_tables, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1450000;

CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL, population bigint);
INSERT INTO countries VALUES ('fr', 'France', 68), ('de', 'Germany', 84), ('it', 'Italy', 59);
CREATE TABLE countries_local (LIKE countries INCLUDING ALL);
INSERT INTO countries_local SELECT * FROM countries;
SELECT shard.create_reference_table('countries');
SELECT shard.create_reference_table('countries');
SELECT method, distribution_column, shard_count FROM shard.tables
WHERE table_name = 'countries'::regclass;
SELECT shard_id, shard_index, port, shard_name FROM shard.shards
WHERE table_name = 'countries'::regclass ORDER BY port;

-- writes go to every copy; RETURNING and counts are the statement's own
INSERT INTO countries VALUES ('es', 'Spain', 48), ('pt', 'Portugal', 10) RETURNING code;
INSERT INTO countries_local VALUES ('es', 'Spain', 48), ('pt', 'Portugal', 10);
UPDATE countries SET population = population + 1 WHERE code IN ('fr', 'es') RETURNING code, population;
UPDATE countries_local SET population = population + 1 WHERE code IN ('fr', 'es');
DELETE FROM countries WHERE code = 'pt';
DELETE FROM countries_local WHERE code = 'pt';
INSERT INTO countries SELECT 'n' || g, 'name ' || g, g FROM generate_series(1, 5) g;
INSERT INTO countries_local SELECT 'n' || g, 'name ' || g, g FROM generate_series(1, 5) g;
-- both copies refuse a duplicate: which one answers first varies
\set VERBOSITY terse
INSERT INTO countries VALUES ('fr', 'France', 1);
\set VERBOSITY default
INSERT INTO countries VALUES ('fr', 'France', 1) ON CONFLICT DO NOTHING;
SELECT compare_results('SELECT * FROM countries', 'SELECT * FROM countries_local');
SELECT compare_results('SELECT name FROM countries WHERE code = ''fr''',
                       'SELECT name FROM countries_local WHERE code = ''fr''');
SELECT compare_results('SELECT count(*), sum(population) FROM countries',
                       'SELECT count(*), sum(population) FROM countries_local');

-- every copy holds the same rows
\c - - - :worker_1_port
SELECT md5(string_agg(c::text, ',' ORDER BY code)) AS worker_1_rows
FROM reference_tables.countries_1450000 c \gset
\c - - - :worker_2_port
SELECT md5(string_agg(c::text, ',' ORDER BY code)) = :'worker_1_rows' AS copies_identical,
       count(*) AS row_count
FROM reference_tables.countries_1450000 c;
-- make the copy on worker 2 refuse large populations
ALTER TABLE reference_tables.countries_1450000 ADD CONSTRAINT only_here CHECK (population < 100);
\c - - - :coordinator_port
SET search_path TO reference_tables, public;
SET client_min_messages TO warning;

-- a write that fails on one node changes no copy
UPDATE countries SET population = 500 WHERE code = 'fr';
INSERT INTO countries VALUES ('us', 'United States', 330);
BEGIN;
INSERT INTO countries VALUES ('be', 'Belgium', 11);
SELECT name FROM countries WHERE code = 'be';
UPDATE countries SET population = 600 WHERE code = 'de';
COMMIT;
SELECT compare_results('SELECT * FROM countries', 'SELECT * FROM countries_local');
\c - - - :worker_1_port
SELECT md5(string_agg(c::text, ',' ORDER BY code)) = :'worker_1_rows' AS worker_1_unchanged
FROM reference_tables.countries_1450000 c;
\c - - - :worker_2_port
SELECT md5(string_agg(c::text, ',' ORDER BY code)) = :'worker_1_rows' AS worker_2_unchanged
FROM reference_tables.countries_1450000 c;
ALTER TABLE reference_tables.countries_1450000 DROP CONSTRAINT only_here;
\c - - - :coordinator_port
SET search_path TO reference_tables, public;
SET client_min_messages TO warning;

-- DDL reaches every copy
ALTER TABLE countries ADD COLUMN continent text NOT NULL DEFAULT 'europe';
ALTER TABLE countries_local ADD COLUMN continent text NOT NULL DEFAULT 'europe';
CREATE UNIQUE INDEX countries_name_key ON countries (name);
\set VERBOSITY terse
INSERT INTO countries VALUES ('xx', 'France', 1);
\set VERBOSITY default
\c - - - :worker_2_port
SELECT indexrelid::regclass FROM pg_index
WHERE indrelid = 'reference_tables.countries_1450000'::regclass ORDER BY 1;
SELECT attname FROM pg_attribute
WHERE attrelid = 'reference_tables.countries_1450000'::regclass AND attname = 'continent';
\c - - - :coordinator_port
SET search_path TO reference_tables, public;
SET client_min_messages TO warning;

-- distributed tables reference it; joins with it
CREATE TABLE cities (id int PRIMARY KEY, country text NOT NULL, name text);
INSERT INTO cities VALUES (1, 'fr', 'Paris'), (2, 'de', 'Berlin'), (3, 'it', 'Rome'),
                          (4, 'es', 'Madrid'), (5, 'fr', 'Lyon');
CREATE TABLE cities_local (LIKE cities INCLUDING ALL);
INSERT INTO cities_local SELECT * FROM cities;
SELECT shard.create_distributed_table('cities', 'id', shard_count => 4);
ALTER TABLE cities ADD CONSTRAINT cities_country_fk FOREIGN KEY (country) REFERENCES countries (code);
INSERT INTO cities VALUES (6, 'zz', 'Nowhere');
CREATE TABLE flags (code text PRIMARY KEY, colors text);
SELECT shard.create_reference_table('flags');
ALTER TABLE flags ADD FOREIGN KEY (code) REFERENCES countries (code);
ALTER TABLE countries ADD FOREIGN KEY (code) REFERENCES cities (id);
SELECT compare_results(
  'SELECT ci.name, co.name, co.continent FROM cities ci JOIN countries co ON co.code = ci.country',
  'SELECT ci.name, co.name, co.continent FROM cities_local ci JOIN countries_local co ON co.code = ci.country');
SELECT compare_results(
  'SELECT co.code, count(ci.id) FROM countries co LEFT JOIN cities ci ON co.code = ci.country GROUP BY co.code',
  'SELECT co.code, count(ci.id) FROM countries_local co LEFT JOIN cities_local ci ON co.code = ci.country GROUP BY co.code');

-- TRUNCATE empties every copy
TRUNCATE cities, flags, countries;
SELECT count(*) FROM countries;
\c - - - :worker_1_port
SELECT count(*) AS rows_left FROM reference_tables.countries_1450000;
\c - - - :coordinator_port
SET search_path TO reference_tables, public;
SET client_min_messages TO warning;

DROP SCHEMA reference_tables CASCADE;
\c - - - :worker_1_port
SELECT count(*) AS leftover_shards FROM pg_tables WHERE schemaname = 'reference_tables';
\c - - - :worker_2_port
SELECT count(*) AS leftover_shards FROM pg_tables WHERE schemaname = 'reference_tables';
