-- standby_nodes: streaming standbys of the workers (started by test/run.sh)
-- registered as secondaries, their health in shard.nodes, and reads routed
-- to them.
SET client_min_messages TO warning;
CREATE SCHEMA standby_nodes;
ALTER SEQUENCE shard.shard_id_seq RESTART 1800000;
SELECT node_id AS w1 FROM shard.dist_node WHERE port = :worker_1_port \gset
SELECT node_id AS w2 FROM shard.dist_node WHERE port = :worker_2_port \gset
-- a reference table: a new secondary gets no copy (it is read-only)
CREATE TABLE standby_nodes.ref (id int PRIMARY KEY, v text);
INSERT INTO standby_nodes.ref VALUES (1, 'one'), (2, 'two');
SELECT shard.create_reference_table('standby_nodes.ref');

-- errors name the server: a primary (worker 2 under another name) is not a
-- standby; the standby of worker 1 is not one of worker 2; a secondary
-- needs a primary as primary_id
SELECT shard.add_node('localhost', :worker_2_port, role => 'secondary', primary_id => :w1);
\set VERBOSITY terse
SELECT shard.add_node('127.0.0.1', :standby_1_port, role => 'secondary', primary_id => :w2);
\set VERBOSITY default
SELECT shard.add_node('127.0.0.1', :standby_1_port, role => 'secondary', primary_id => :w1) AS s1 \gset
-- (node ids vary with the suite: the message shows a fixed name instead)
SELECT set_config('standby_nodes.s1', :'s1', false) IS NOT NULL AS set,
       set_config('standby_nodes.port', :'standby_2_port', false) IS NOT NULL AS set;
DO $$
DECLARE s1 int := current_setting('standby_nodes.s1')::int;
BEGIN
  PERFORM shard.add_node('127.0.0.1', current_setting('standby_nodes.port')::int,
                         role => 'secondary', primary_id => s1);
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE WARNING '%', replace(SQLERRM, format('node %s ', s1), 'node <standby 1> ');
END $$;
SELECT shard.add_node('127.0.0.1', :standby_2_port, role => 'secondary', primary_id => :w2) AS s2 \gset
SELECT host, port, role, primary_id = CASE port WHEN :standby_1_port THEN :w1 ELSE :w2 END AS right_primary
  FROM shard.dist_node WHERE role = 'secondary' ORDER BY port;
-- the standby is the server it says: same system as its primary, other port
SELECT s.system_identifier = p.system_identifier AS same_system,
       s.server_port <> p.server_port AS other_port
  FROM shard.dist_node s JOIN shard.dist_node p ON p.node_id = s.primary_id
 ORDER BY s.port;
-- a secondary can be removed at any time and added again
SELECT shard.remove_node(:s2);
SELECT shard.add_node('127.0.0.1', :standby_2_port, role => 'secondary', primary_id => :w2) AS s2 \gset

-- standbys hold no placements of new tables
CREATE TABLE standby_nodes.t (id int PRIMARY KEY, v text);
SELECT shard.create_distributed_table('standby_nodes.t', 'id', shard_count => 4);
SELECT count(*) AS placements_on_standbys FROM shard.dist_placement
 WHERE node_id IN (:s1, :s2);
INSERT INTO standby_nodes.t SELECT g, 'v' || g FROM generate_series(1, 20) g;
CREATE TABLE standby_nodes.t_local AS SELECT * FROM standby_nodes.t;
CREATE SEQUENCE standby_nodes.seq;

-- health: the background worker probes every node each
-- shard.health_check_interval; shard.nodes reads what it recorded
DO $$
DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE (SELECT count(*) FROM shard.nodes WHERE status = 'up') < 4 LOOP
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'nodes not all up after 60 s';
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT n.role, n.port, p.port AS primary_port, n.status, n.in_recovery,
       n.lag_bytes >= 0 AS lag_bytes_known, n.lag_time >= '0'::interval AS lag_time_known,
       n.last_check > now() - interval '1 min' AS recent
  FROM shard.nodes n LEFT JOIN shard.nodes p ON p.node_id = n.primary_id
 ORDER BY n.port;

-- routing decisions, as EXPLAIN shows them (shard.read_from = primary
-- shows nothing: the default plans stay as they were)
SET shard.read_from = 'standby';
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1;
EXPLAIN (COSTS OFF) SELECT count(*) FROM standby_nodes.t;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.ref;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1 FOR UPDATE;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1 FOR SHARE;
EXPLAIN (COSTS OFF) SELECT *, nextval('standby_nodes.seq') FROM standby_nodes.t WHERE id = 1;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1 AND random() < 2;
SET shard.standby_safe_functions = 'pg_catalog.random';
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1 AND random() < 2;
RESET shard.standby_safe_functions;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id IN (SELECT id FROM standby_nodes.t WHERE random() < 2);
EXPLAIN (COSTS OFF) UPDATE standby_nodes.t SET v = v WHERE id = 1;
EXPLAIN (COSTS OFF) DELETE FROM standby_nodes.t WHERE id = 1;
BEGIN;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1;
UPDATE standby_nodes.t SET v = v WHERE id = 1;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1;
ROLLBACK;
BEGIN;
SELECT id FROM standby_nodes.t WHERE id = 1 FOR UPDATE;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 2;
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
EXPLAIN (COSTS OFF) SELECT * FROM standby_nodes.t WHERE id = 1;
ROLLBACK;

-- reads on the standbys return what the primaries have, once replayed
\c - - - :worker_1_port
CREATE ROLE standby_nodes_admin LOGIN;
-- (the insert position: with synchronous_commit = off the write position
-- may still be short of the last commit record)
SELECT pg_current_wal_insert_lsn() AS w1_lsn \gset
\c - - - :worker_2_port
SELECT pg_current_wal_insert_lsn() AS w2_lsn \gset
-- (positions vary: the polls are not echoed)
\set ECHO none
\c - - - :standby_1_port
SELECT format($f$DO $d$ DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE pg_last_wal_replay_lsn() < %L::pg_lsn LOOP
    IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'replay did not catch up'; END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
END $d$$f$, :'w1_lsn') \gexec
\c - - - :standby_2_port
SELECT format($f$DO $d$ DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE pg_last_wal_replay_lsn() < %L::pg_lsn LOOP
    IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'replay did not catch up'; END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
END $d$$f$, :'w2_lsn') \gexec
\set ECHO all
\c - - - :coordinator_port
SET client_min_messages TO warning;
-- the probe needs pg_read_all_stats: add_node checks it (a coordinator
-- superuser that is a plain role on the worker and, replicated, on its
-- standby)
CREATE ROLE standby_nodes_admin SUPERUSER;
SET ROLE standby_nodes_admin;
\set VERBOSITY terse
-- (standby 1 under another name: the privileges are checked first)
SELECT shard.add_node('localhost', :standby_1_port, role => 'secondary', primary_id => :w1);
\set VERBOSITY default
RESET ROLE;
DROP ROLE standby_nodes_admin;
SET shard.read_from = 'standby';
SELECT compare_results('SELECT * FROM standby_nodes.t', 'SELECT * FROM standby_nodes.t_local');
SELECT compare_results('SELECT * FROM standby_nodes.ref', 'SELECT * FROM (VALUES (1, ''one''), (2, ''two'')) v');

-- which server served a read: with replay paused on both standbys, a
-- write on the primaries is seen by reads from the primaries only
\c - - - :standby_1_port
SELECT pg_wal_replay_pause();
\c - - - :standby_2_port
SELECT pg_wal_replay_pause();
\c - - - :coordinator_port
SET client_min_messages TO warning;
UPDATE standby_nodes.t SET v = v || '-new';
SET shard.max_standby_lag = '1h';
SET shard.read_from = 'standby';
-- (eventual: this session's own write does not keep it off the standbys)
SET shard.read_consistency = 'eventual';
SELECT count(*) FILTER (WHERE v LIKE '%-new') AS new_rows, count(*) AS all_rows FROM standby_nodes.t;
SELECT v FROM standby_nodes.t WHERE id = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT v FROM standby_nodes.t WHERE id = 3;
SET shard.read_from = 'primary';
SELECT count(*) FILTER (WHERE v LIKE '%-new') AS new_rows, count(*) AS all_rows FROM standby_nodes.t;
SELECT v FROM standby_nodes.t WHERE id = 3;
-- any: the primary and its standby in turn, but a transaction block keeps
-- the server its first read chose
SET shard.read_from = 'any';
SELECT v AS a1 FROM standby_nodes.t WHERE id = 3 \gset
SELECT v AS a2 FROM standby_nodes.t WHERE id = 3 \gset
SELECT :'a1' <> :'a2' AS alternates;
BEGIN;
SELECT v AS b1 FROM standby_nodes.t WHERE id = 3 \gset
SELECT v AS b2 FROM standby_nodes.t WHERE id = 3 \gset
SELECT v AS b3 FROM standby_nodes.t WHERE id = 3 \gset
COMMIT;
SELECT :'b1' = :'b2' AND :'b2' = :'b3' AS block_keeps_server;
-- the probe sees the standbys fall behind; behind shard.max_standby_lag
-- they serve no reads
DO $$
DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE (SELECT count(*) FROM shard.nodes WHERE role = 'secondary'
          AND lag_bytes > 0 AND lag_time > '0'::interval) < 2 LOOP
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'standbys not seen lagging after 60 s';
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SET shard.max_standby_lag = '1ms';
-- for this reader (shard.max_standby_lag = 1ms) the view shows both lagging
DO $$
DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE (SELECT count(*) FROM shard.nodes WHERE role = 'secondary'
          AND status = 'lagging') < 2 LOOP
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'standbys not shown lagging after 60 s';
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
-- (a backend reads the probes again once its copy is older than
-- shard.health_check_interval: the reads go to the primaries by then)
SET shard.read_from = 'standby';
DO $$
DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE (SELECT count(*) FILTER (WHERE v LIKE '%-new') FROM standby_nodes.t) < 20 LOOP
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'lagging standbys still serve reads after 60 s';
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT count(*) FILTER (WHERE v LIKE '%-new') AS new_rows, count(*) AS all_rows FROM standby_nodes.t;
RESET shard.max_standby_lag;
RESET shard.read_from;

-- read-your-writes (shard.read_consistency = session, the default): a
-- standby that has not replayed the session's own commit does not serve
-- the session (it waits shard.standby_wait, then reads from the primary)
RESET shard.read_consistency;
SET shard.max_standby_lag = '1h';
SET shard.read_from = 'standby';
UPDATE standby_nodes.t SET v = v || '+' WHERE id = 3;
SELECT v FROM standby_nodes.t WHERE id = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT v FROM standby_nodes.t WHERE id = 3;
-- and across statements of an autocommit session, inserts included
INSERT INTO standby_nodes.t VALUES (21, 'v21');
SELECT v FROM standby_nodes.t WHERE id = 21;
-- a session without writes of its own reads the standby as it is
\c - - - :coordinator_port
SET client_min_messages TO warning;
SET shard.max_standby_lag = '1h';
SET shard.read_from = 'standby';
SELECT v FROM standby_nodes.t WHERE id = 3;
SELECT count(*) FROM standby_nodes.t WHERE id = 21;
RESET shard.max_standby_lag;
RESET shard.read_from;

-- replay resumes and catches up: the standbys serve the new rows
\c - - - :worker_1_port
SELECT pg_current_wal_insert_lsn() AS w1_lsn \gset
\c - - - :worker_2_port
SELECT pg_current_wal_insert_lsn() AS w2_lsn \gset
\c - - - :standby_1_port
SELECT pg_wal_replay_resume();
\c - - - :standby_2_port
SELECT pg_wal_replay_resume();
-- (positions vary: the polls are not echoed)
\set ECHO none
\c - - - :standby_1_port
SELECT format($f$DO $d$ DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE pg_last_wal_replay_lsn() < %L::pg_lsn LOOP
    IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'replay did not catch up'; END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
END $d$$f$, :'w1_lsn') \gexec
\c - - - :standby_2_port
SELECT format($f$DO $d$ DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  WHILE pg_last_wal_replay_lsn() < %L::pg_lsn LOOP
    IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'replay did not catch up'; END IF;
    PERFORM pg_sleep(0.02);
  END LOOP;
END $d$$f$, :'w2_lsn') \gexec
\set ECHO all
\c - - - :coordinator_port
SET client_min_messages TO warning;
UPDATE standby_nodes.t_local SET v = v || '-new';
UPDATE standby_nodes.t_local SET v = v || '+' WHERE id = 3;
INSERT INTO standby_nodes.t_local VALUES (21, 'v21');
SET shard.max_standby_lag = '1h';
SET shard.read_from = 'standby';
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT v FROM standby_nodes.t WHERE id = 3;
SELECT compare_results('SELECT * FROM standby_nodes.t', 'SELECT * FROM standby_nodes.t_local');
RESET shard.read_from;
RESET shard.max_standby_lag;

\c - - - :worker_1_port
DROP ROLE standby_nodes_admin;
\c - - - :coordinator_port
SET client_min_messages TO warning;
-- the standbys leave; nothing else registered changes
SELECT shard.remove_node(:s1);
SELECT shard.remove_node(:s2);
DROP SCHEMA standby_nodes CASCADE;
SELECT count(*) AS nodes FROM shard.nodes;
