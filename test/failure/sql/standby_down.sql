-- standby_down: a standby that stops is seen down by the health probe and
-- skipped by reads (they go to its primary); once it is back and
-- streaming it serves reads again.
SET client_min_messages TO warning;
CREATE SCHEMA standby_down;
ALTER SEQUENCE shard.shard_id_seq RESTART 1820000;
CREATE TABLE standby_down.t (id int PRIMARY KEY, v text);
INSERT INTO standby_down.t SELECT g, 'v' || g FROM generate_series(1, 20) g;
SELECT shard.create_distributed_table('standby_down.t', 'id', shard_count => 2);
CREATE TABLE standby_down.t_local AS SELECT * FROM standby_down.t;
SELECT node_id AS w1 FROM shard.dist_node WHERE port = :worker_1_port \gset
SELECT node_id AS w2 FROM shard.dist_node WHERE port = :worker_2_port \gset
SELECT shard.add_node('127.0.0.1', :standby_1_port, role => 'secondary', primary_id => :w1) AS s1 \gset
SELECT shard.add_node('127.0.0.1', :standby_2_port, role => 'secondary', primary_id => :w2) AS s2 \gset
CREATE FUNCTION standby_down.wait_status(want text, deadline_s int DEFAULT 60)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE deadline timestamptz := clock_timestamp() + deadline_s * interval '1 s';
BEGIN
  WHILE (SELECT status FROM shard.nodes WHERE port = current_setting('standby_down.port')::int)
        IS DISTINCT FROM want LOOP
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'standby not % after % s', want, deadline_s;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN want;
END $$;
SELECT set_config('standby_down.port', :'standby_1_port', false) IS NOT NULL AS set;
SELECT standby_down.wait_status('up');

-- standby 1 stops: the probe finds it down, and reads of worker 1's
-- shards go to worker 1
\! $NODE_CTL stop standby_1
SELECT standby_down.wait_status('down');
SELECT role, status, in_recovery FROM shard.nodes WHERE port = :standby_1_port;
SET shard.read_from = 'standby';
SET shard.read_consistency = 'eventual';
-- (a backend renews its copy of the probes each shard.health_check_interval)
DO $$
DECLARE deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  LOOP
    BEGIN
      PERFORM count(*) FROM standby_down.t;
      EXIT;
    EXCEPTION WHEN connection_failure OR connection_exception THEN
      IF clock_timestamp() > deadline THEN RAISE; END IF;
      PERFORM pg_sleep(0.05);
    END;
  END LOOP;
END $$;
SELECT compare_results('SELECT * FROM standby_down.t', 'SELECT * FROM standby_down.t_local');
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT v FROM standby_down.t WHERE id = 3;
-- worker 2's shard is read on its standby meanwhile
SELECT min(id) AS id2 FROM generate_series(1, 20) id
 WHERE shard.shard_id_for_value('standby_down.t', id::text) = 1820001 \gset
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT v FROM standby_down.t WHERE id = :id2;

-- back: up again, and it serves reads
\! $NODE_CTL start standby_1
SELECT standby_down.wait_status('up');
DO $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '60 s';
  plan text;
BEGIN
  LOOP
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) SELECT v FROM standby_down.t WHERE id = 3' INTO plan;
    EXIT WHEN plan LIKE '%' || ':' || current_setting('standby_down.port') || '"%';
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'standby 1 serves no reads 60 s after it is up: %', plan;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT compare_results('SELECT * FROM standby_down.t', 'SELECT * FROM standby_down.t_local');
RESET shard.read_from;
RESET shard.read_consistency;

SELECT shard.remove_node(:s1);
SELECT shard.remove_node(:s2);
DROP SCHEMA standby_down CASCADE;
