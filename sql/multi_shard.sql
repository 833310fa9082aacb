-- multi_shard: SELECTs over all shards (filters, projections, ORDER BY,
-- LIMIT/OFFSET, DISTINCT) merged on the coordinator, and UPDATE/DELETE on
-- every shard, each compared with a local copy.
SET client_min_messages TO warning;
CREATE SCHEMA multi;
SET search_path TO multi, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1040000;

CREATE TABLE events (id int PRIMARY KEY, kind text, score float8, at timestamptz, payload jsonb, name text);
INSERT INTO events
SELECT g, (ARRAY['click', 'view', 'buy', NULL])[g % 4 + 1], (g * 37 % 101) / 7.0,
       timestamptz '2024-03-01 00:00:00+00' + g * interval '37 minutes',
       jsonb_build_object('n', g, 'even', g % 2 = 0),
       (ARRAY['Ælfred', 'zoë', 'Émile', 'bob', 'Bob', NULL])[g % 6 + 1]
FROM generate_series(1, 3000) g;
CREATE TABLE events_local AS SELECT * FROM events;
SELECT shard.create_distributed_table('events', 'id');

SELECT compare_results('SELECT * FROM events', 'SELECT * FROM events_local');
SELECT compare_results('SELECT id, kind FROM events WHERE score > 10 AND kind <> ''view''',
                       'SELECT id, kind FROM events_local WHERE score > 10 AND kind <> ''view''');
SELECT compare_results('SELECT id * 2, lower(name), payload->>''n'', at::date FROM events WHERE payload @> ''{"even": true}''',
                       'SELECT id * 2, lower(name), payload->>''n'', at::date FROM events_local WHERE payload @> ''{"even": true}''');
SELECT compare_results('SELECT id, score FROM events ORDER BY score DESC, id LIMIT 17',
                       'SELECT id, score FROM events_local ORDER BY score DESC, id LIMIT 17', true);
SELECT compare_results('SELECT id FROM events ORDER BY id OFFSET 2990',
                       'SELECT id FROM events_local ORDER BY id OFFSET 2990', true);
SELECT compare_results('SELECT id FROM events ORDER BY id DESC LIMIT 5 OFFSET 5',
                       'SELECT id FROM events_local ORDER BY id DESC LIMIT 5 OFFSET 5', true);
SELECT compare_results('SELECT DISTINCT kind FROM events', 'SELECT DISTINCT kind FROM events_local');
SELECT compare_results('SELECT DISTINCT ON (kind) kind, id FROM events ORDER BY kind, id',
                       'SELECT DISTINCT ON (kind) kind, id FROM events_local ORDER BY kind, id', true);
SELECT compare_results('SELECT name FROM events WHERE name IS NOT NULL ORDER BY name, id LIMIT 20',
                       'SELECT name FROM events_local WHERE name IS NOT NULL ORDER BY name, id LIMIT 20', true);
SELECT compare_results('SELECT id FROM events WHERE id IN (1, 2, 3, 2999) OR kind IS NULL',
                       'SELECT id FROM events_local WHERE id IN (1, 2, 3, 2999) OR kind IS NULL');
SELECT compare_results('SELECT kind, count(*), round(avg(score)::numeric, 6) FROM events GROUP BY kind',
                       'SELECT kind, count(*), round(avg(score)::numeric, 6) FROM events_local GROUP BY kind');
SELECT compare_results('SELECT e.id FROM events e WHERE e.score > (SELECT avg(score) FROM events)',
                       'SELECT e.id FROM events_local e WHERE e.score > (SELECT avg(score) FROM events_local)');
SELECT compare_results('SELECT id, name FROM events WHERE name ILIKE ''%e%'' AND at > now() - interval ''100 years''',
                       'SELECT id, name FROM events_local WHERE name ILIKE ''%e%'' AND at > now() - interval ''100 years''');
PREPARE by_kind(text) AS SELECT id FROM events WHERE kind = $1 ORDER BY id LIMIT 3;
EXECUTE by_kind('buy'); EXECUTE by_kind('buy'); EXECUTE by_kind('buy');
EXECUTE by_kind('buy'); EXECUTE by_kind('buy'); EXECUTE by_kind('view');
EXPLAIN (COSTS OFF) SELECT id FROM events WHERE score > 3 ORDER BY id LIMIT 3;

-- a large result streams through cursors: more rows than one batch per node
SELECT count(*), count(DISTINCT id), min(id), max(id) FROM (SELECT id FROM events) s;

-- modifications on every shard
UPDATE events SET score = score + 1 WHERE kind = 'buy';
UPDATE events_local SET score = score + 1 WHERE kind = 'buy';
SELECT compare_results('DELETE FROM events WHERE score < 1 RETURNING id',
                       'DELETE FROM events_local WHERE score < 1 RETURNING id');
SELECT compare_results('UPDATE events SET name = upper(name) WHERE id % 100 = 0 RETURNING id, name',
                       'UPDATE events_local SET name = upper(name) WHERE id % 100 = 0 RETURNING id, name');
WITH d AS (DELETE FROM events WHERE id = 1 RETURNING id) SELECT count(*) FROM d;
WITH d AS (DELETE FROM events_local WHERE id = 1 RETURNING id) SELECT count(*) FROM d;
SELECT compare_results('SELECT * FROM events', 'SELECT * FROM events_local');
EXPLAIN (COSTS OFF) UPDATE events SET score = 0 WHERE kind = 'view';
TRUNCATE events;
SELECT count(*) FROM events;

DROP SCHEMA multi CASCADE;
