-- settings: session settings that change results take effect on the
-- workers, and now()/current_user mean the coordinator's values.
SET client_min_messages TO warning;
CREATE SCHEMA settings;
SET search_path TO settings, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1050000;

CREATE TABLE ticks (id int PRIMARY KEY, at timestamptz, d date, span interval, f float8, who text);
INSERT INTO ticks SELECT g, timestamptz '2024-06-30 22:30:00+00' + g * interval '1 hour',
       date '2024-01-31' + g, g * interval '90 minutes', 1.0 / g, NULL
FROM generate_series(1, 48) g;
CREATE TABLE ticks_local AS SELECT * FROM ticks;
SELECT shard.create_distributed_table('ticks', 'id', shard_count => 4);

SET TimeZone TO 'Asia/Tokyo';
SELECT at, at::date AS day FROM ticks WHERE id = 1;
SELECT compare_results('SELECT id, at::date, to_char(at, ''YYYY-MM-DD HH24:MI TZ''), date_trunc(''day'', at) FROM ticks WHERE at::date = ''2024-07-01''',
                       'SELECT id, at::date, to_char(at, ''YYYY-MM-DD HH24:MI TZ''), date_trunc(''day'', at) FROM ticks_local WHERE at::date = ''2024-07-01''');
SET TimeZone TO 'America/New_York';
SELECT at, at::date AS day FROM ticks WHERE id = 1;
SELECT compare_results('SELECT id, at::date, at::text FROM ticks WHERE at::date = ''2024-07-01''',
                       'SELECT id, at::date, at::text FROM ticks_local WHERE at::date = ''2024-07-01''');
SET DateStyle TO 'SQL, DMY';
SELECT d, at FROM ticks WHERE id = 2;
SELECT compare_results('SELECT id, d::text, at::text FROM ticks WHERE d > ''15/02/2024''',
                       'SELECT id, d::text, at::text FROM ticks_local WHERE d > ''15/02/2024''');
SET IntervalStyle TO 'sql_standard';
SELECT span, span::text FROM ticks WHERE id = 3;
SET extra_float_digits TO -3;
SELECT f, f::text FROM ticks WHERE id = 3;
SELECT compare_results('SELECT id, f::text FROM ticks', 'SELECT id, f::text FROM ticks_local');
RESET extra_float_digits;
RESET IntervalStyle;
RESET DateStyle;
RESET TimeZone;

-- now() and current_user are the coordinator's, one value per statement
UPDATE ticks SET at = now(), who = current_user WHERE id = 5 RETURNING at = now() AS same_now, who = current_user AS same_user;
BEGIN;
UPDATE ticks SET at = now() WHERE id IN (6, 7, 8, 9, 10, 11);
SELECT count(DISTINCT at), bool_and(at = now()) FROM ticks WHERE id BETWEEN 6 AND 11;
COMMIT;
SELECT count(*) FROM ticks WHERE at > now() - interval '1 hour';

DROP SCHEMA settings CASCADE;
