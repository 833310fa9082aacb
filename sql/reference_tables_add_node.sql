-- reference_tables_add_node: shard.add_node copies every reference table to
-- a new primary in its own transaction (two-phase commit), without losing
-- writes that run concurrently.  The suite's cluster has only two workers,
-- both registered in database regression, so this test uses a database of
-- its own (same name on the coordinator and on both workers): there
-- worker 1 is registered first, reference tables are created, and then
-- worker 2 is added.
SET client_min_messages TO warning;
CREATE DATABASE reftables_add_node;
\c - - - :worker_1_port
CREATE DATABASE reftables_add_node;
\c - - - :worker_2_port
CREATE DATABASE reftables_add_node;
\c reftables_add_node - - :coordinator_port
SET client_min_messages TO warning;
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', :worker_1_port) > 0 AS worker_1_added;
CREATE SCHEMA add_node;
SET search_path TO add_node;
ALTER SEQUENCE shard.shard_id_seq RESTART 1800100;

CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL, pop numeric CHECK (pop >= 0));
CREATE INDEX countries_name_idx ON countries (name);
CREATE TABLE cities (name text PRIMARY KEY, code text, lat float8,
                     founded timestamptz, info jsonb, dropped int);
ALTER TABLE cities DROP COLUMN dropped;
INSERT INTO countries VALUES ('fr', 'France', 68.4), ('de', 'Deutschland', 84.1),
  ('jp', '日本', 125), ('xx', 'Nowhere', NULL);
INSERT INTO cities VALUES ('Paris', 'fr', 48.8566, '1900-01-01 00:00+00', '{"a": [1, 2]}'),
  ('Köln', 'de', 0.1 + 0.2, 'infinity', NULL), ('東京', 'jp', 35.6762, NULL, '"x"'),
  ('Null Island', NULL, -0.0, '2024-02-29 12:34:56.789+01', '{}');
INSERT INTO cities SELECT 'c' || g, 'fr', g / 7.0, '2000-01-01'::timestamptz + g * interval '1 hour', NULL
FROM generate_series(1, 500) g;
SELECT shard.create_reference_table('countries');
SELECT shard.create_reference_table('cities');
ALTER TABLE cities ADD CONSTRAINT cities_code_fkey FOREIGN KEY (code) REFERENCES countries (code);
CREATE TABLE events (id int PRIMARY KEY, code text);
INSERT INTO events SELECT g, (ARRAY['fr', 'de', 'jp'])[1 + g % 3] FROM generate_series(1, 30) g;
SELECT shard.create_distributed_table('events', 'id', shard_count => 2);
SELECT table_name, shard_id, port FROM shard.shards ORDER BY shard_id, port;

-- md5 of a copy's rows, run on each worker
\set copy_sum 'SELECT count(*) AS n, md5(string_agg(t::text, '','' ORDER BY t::text)) AS sum FROM '

-- rolled back: the node is not registered and holds no copy
BEGIN;
SELECT shard.add_node('127.0.0.1', :worker_2_port) > 0 AS worker_2_added;
SELECT count(*) AS placements FROM shard.placements;
ROLLBACK;
SELECT count(*) AS nodes, (SELECT count(*) FROM shard.placements) AS placements FROM shard.nodes;
\c - - - :worker_2_port
SELECT count(*) AS tables_on_worker_2 FROM pg_tables WHERE schemaname = 'add_node';

-- a writer holds the tables when add_node starts: add_node waits for it,
-- and the new copy has its rows (the writer waits on an advisory lock
-- until add_node is about to start)
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET search_path TO add_node;
SELECT pg_advisory_lock(1800100);
\! PGAPPNAME=reftables_writer $PG_BINDIR/psql -X -q -h 127.0.0.1 -p $COORDINATOR_PORT reftables_add_node -c "BEGIN; INSERT INTO add_node.countries VALUES ('w1', 'Writer one', 1); SELECT pg_advisory_lock(1800100); SELECT pg_sleep(0.3); INSERT INTO add_node.cities VALUES ('w1 city', 'w1'); COMMIT;" > /dev/null 2>&1 &
-- wait until the writer has written and waits for the advisory lock
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted);
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT pg_advisory_unlock(1800100);
BEGIN;
SELECT shard.add_node('127.0.0.1', :worker_2_port) > 0 AS worker_2_added;
-- add_node holds the tables until commit: a writer that comes meanwhile
-- waits, and then writes every copy, the new one too
\! PGAPPNAME=reftables_writer $PG_BINDIR/psql -X -q -h 127.0.0.1 -p $COORDINATOR_PORT reftables_add_node -c "INSERT INTO add_node.countries VALUES ('w2', 'Writer two', 2)" > /dev/null 2>&1 &
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'add_node.countries'::regclass AND NOT granted);
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT count(*) AS waiting_writers FROM pg_locks
WHERE relation = 'add_node.countries'::regclass AND NOT granted;
COMMIT;
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'reftables_writer');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT table_name, shard_id, port FROM shard.shards ORDER BY shard_id, port;
SELECT code, name FROM countries WHERE code LIKE 'w_' ORDER BY 1;
SELECT name, code FROM cities WHERE name = 'w1 city';

-- writes after add_node reach the new copy
INSERT INTO countries VALUES ('it', 'Italia', 59) ON CONFLICT (code) DO NOTHING;
UPDATE cities SET lat = lat + 1 WHERE name LIKE 'c1%';
DELETE FROM cities WHERE name = 'c2';
INSERT INTO cities VALUES ('Roma', 'it', 41.9, NULL, NULL);
-- the new copy enforces the constraints: check, foreign key, unique name index
\set VERBOSITY terse
INSERT INTO countries VALUES ('neg', 'Negative', -1);
INSERT INTO cities VALUES ('Atlantis', 'zz');
\set VERBOSITY default
-- joins and reference-only statements
SELECT c.code, count(*) FROM events e JOIN countries c ON c.code = e.code GROUP BY 1 ORDER BY 1;
SELECT count(*), sum(length(ci.name)) FROM cities ci JOIN countries co USING (code);

\c - - - :worker_1_port
:copy_sum add_node.countries_1800100 t \gset w1_countries_
:copy_sum add_node.cities_1800101 t \gset w1_cities_
\c - - - :worker_2_port
:copy_sum add_node.countries_1800100 t \gset w2_countries_
:copy_sum add_node.cities_1800101 t \gset w2_cities_
SELECT :'w1_countries_sum' = :'w2_countries_sum' AS countries_identical, :w2_countries_n AS countries_rows,
       :'w1_cities_sum' = :'w2_cities_sum' AS cities_identical, :w2_cities_n AS cities_rows;
SELECT conname, contype FROM pg_constraint
WHERE conrelid IN ('add_node.countries_1800100'::regclass, 'add_node.cities_1800101'::regclass)
ORDER BY 1;
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indrelid = 'add_node.countries_1800100'::regclass ORDER BY 1;
-- no hash shard moved
SELECT count(*) AS event_shards FROM pg_tables WHERE schemaname = 'add_node' AND tablename LIKE 'events%';

\c regression - - :coordinator_port
SET client_min_messages TO warning;
DROP DATABASE reftables_add_node WITH (FORCE);
\c - - - :worker_1_port
DROP DATABASE reftables_add_node WITH (FORCE);
\c - - - :worker_2_port
DROP DATABASE reftables_add_node WITH (FORCE);
