-- dml_select_for_update: SELECT ... FOR UPDATE / FOR NO KEY UPDATE /
-- FOR SHARE / FOR KEY SHARE, with NOWAIT or SKIP LOCKED, over many shards
-- (Django's select_for_update()), alone and joined with a co-located table
-- (FOR UPDATE OF one of them); the locking clause travels with each
-- shard's statement.  Rows compared with the same statement on local
-- copies; the locks themselves are exercised in the isolation spec
-- select_for_update.
SET client_min_messages TO warning;
CREATE SCHEMA dml_sfu;
SET search_path TO dml_sfu, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1930000;

CREATE TABLE job (id int PRIMARY KEY, status text, prio int);
INSERT INTO job SELECT g, CASE WHEN g % 3 = 0 THEN 'done' ELSE 'new' END, g % 10 FROM generate_series(1, 500) g;
CREATE TABLE job_local AS SELECT * FROM job;
SELECT shard.create_distributed_table('job', 'id');
CREATE TABLE step (job_id int, n int, PRIMARY KEY (job_id, n));
INSERT INTO step SELECT g, 1 FROM generate_series(1, 500, 2) g;
CREATE TABLE step_local AS SELECT * FROM step;
SELECT shard.create_distributed_table('step', 'job_id', colocate_with => 'job');
CREATE TABLE kind (name text PRIMARY KEY);
INSERT INTO kind VALUES ('new'), ('done');
SELECT shard.create_reference_table('kind');

BEGIN;
SELECT compare_results('SELECT * FROM job WHERE status = ''new'' AND prio < 3 FOR UPDATE',
                       'SELECT * FROM job_local WHERE status = ''new'' AND prio < 3 FOR UPDATE');
SELECT compare_results('SELECT id, prio FROM job WHERE status = ''new'' ORDER BY prio, id LIMIT 7 FOR UPDATE SKIP LOCKED',
                       'SELECT id, prio FROM job_local WHERE status = ''new'' ORDER BY prio, id LIMIT 7 FOR UPDATE SKIP LOCKED', true);
SELECT compare_results('SELECT id FROM job WHERE prio = 9 ORDER BY id DESC LIMIT 3 OFFSET 2 FOR NO KEY UPDATE',
                       'SELECT id FROM job_local WHERE prio = 9 ORDER BY id DESC LIMIT 3 OFFSET 2 FOR NO KEY UPDATE', true);
SELECT compare_results('SELECT id FROM job WHERE prio = 8 FOR NO KEY UPDATE NOWAIT',
                       'SELECT id FROM job_local WHERE prio = 8 FOR NO KEY UPDATE NOWAIT');
SELECT compare_results('SELECT * FROM job WHERE id > 480 FOR SHARE',
                       'SELECT * FROM job_local WHERE id > 480 FOR SHARE');
SELECT compare_results('SELECT * FROM job WHERE id < 20 FOR KEY SHARE',
                       'SELECT * FROM job_local WHERE id < 20 FOR KEY SHARE');
-- joined with a co-located table and a reference table, locking one table
SELECT compare_results('SELECT j.id, s.n FROM job j JOIN step s ON s.job_id = j.id JOIN kind k ON k.name = j.status WHERE j.prio = 1 FOR UPDATE OF j',
                       'SELECT j.id, s.n FROM job_local j JOIN step_local s ON s.job_id = j.id WHERE j.prio = 1 FOR UPDATE OF j');
SELECT compare_results('SELECT j.id, s.n FROM job j JOIN step s ON s.job_id = j.id WHERE j.prio = 3 FOR UPDATE',
                       'SELECT j.id, s.n FROM job_local j JOIN step_local s ON s.job_id = j.id WHERE j.prio = 3 FOR UPDATE');
-- a prepared statement, custom and generic plans
PREPARE lock_new(int) AS SELECT id FROM job WHERE status = 'new' AND prio = $1 ORDER BY id LIMIT 2 FOR UPDATE;
EXECUTE lock_new(1); EXECUTE lock_new(2); EXECUTE lock_new(3); EXECUTE lock_new(4); EXECUTE lock_new(5);
EXECUTE lock_new(6);
COMMIT;

EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM job WHERE status = 'new' ORDER BY prio, id LIMIT 1 FOR UPDATE SKIP LOCKED;

-- still refused: locking a reference table's copies, a join that runs on
-- the coordinator, NOWAIT with LIMIT over many shards (each shard would
-- lock up to LIMIT rows, and fail on rows the result does not hold)
SELECT id FROM job ORDER BY id LIMIT 1 FOR UPDATE NOWAIT;
SELECT j.id FROM job j JOIN kind k ON k.name = j.status WHERE j.id < 5 FOR UPDATE;
SELECT j.id FROM job j JOIN job_local l ON l.prio = j.id WHERE j.prio < 0 FOR UPDATE OF j;

SET client_min_messages TO warning;
DROP SCHEMA dml_sfu CASCADE;
