-- node_hang: a worker that stops answering without closing its sockets (a
-- hung server; a host that vanished looks the same) does not hang the
-- session.  Without statement_timeout a statement waiting on it fails after
-- shard.node_timeout plus a probe, naming the node; with statement_timeout
-- it fails at the timeout and its cleanup is bounded too; a rollback with
-- every worker hung returns; and once the workers run again everything
-- works and nothing was half-applied.  "freeze" SIGSTOPs a worker's
-- postmaster and all its children, "thaw" resumes them (test/node.sh).
SET client_min_messages TO warning;
CREATE SCHEMA hang;
SET search_path TO hang, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1900000;
CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
CREATE TABLE t_local AS SELECT * FROM t;
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);
SELECT min(id) AS on_worker_1 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('hang.t', id::text)) = :worker_1_port \gset
SELECT min(id) AS on_worker_2 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('hang.t', id::text)) = :worker_2_port \gset

-- waits until every worker answers again (deadline 60 s)
CREATE PROCEDURE wait_for_workers() LANGUAGE plpgsql AS $$
DECLARE
	deadline timestamptz := clock_timestamp() + interval '60 seconds';
BEGIN
	LOOP
		BEGIN
			PERFORM count(*) FROM hang.t;
			RETURN;
		EXCEPTION WHEN OTHERS THEN
			IF clock_timestamp() > deadline THEN
				RAISE;
			END IF;
			PERFORM pg_sleep(0.1);
		END;
	END LOOP;
END $$;

SET shard.node_timeout = '3s';
SHOW statement_timeout;
-- warm both connections
SELECT count(*), sum(v) FROM t;

-- a statement waiting on a hung worker fails after node_timeout and a probe
\! $NODE_CTL freeze worker_2
SELECT clock_timestamp() AS started \gset
SELECT v FROM t WHERE id = :on_worker_2;
SELECT clock_timestamp() - :'started' >= interval '3 seconds' AS waited_node_timeout,
       clock_timestamp() - :'started' < interval '20 seconds' AS bounded;
-- the session goes on with the other worker
SELECT v FROM t WHERE id = :on_worker_1;
UPDATE t SET v = v WHERE id = :on_worker_1;
-- connecting to the hung worker is bounded by node_timeout as well
SELECT clock_timestamp() AS started \gset
SELECT count(*) FROM t;
SELECT clock_timestamp() - :'started' < interval '15 seconds' AS bounded;
\! $NODE_CTL thaw worker_2
CALL wait_for_workers();

-- with statement_timeout the statement fails at the timeout, and the cancel
-- of its command on the hung worker does not block (the connection is closed)
\! $NODE_CTL freeze worker_2
SET statement_timeout = '1s';
SELECT clock_timestamp() AS started \gset
SELECT v FROM t WHERE id = :on_worker_2;
RESET statement_timeout;
SELECT clock_timestamp() - :'started' < interval '15 seconds' AS bounded;
\! $NODE_CTL thaw worker_2
CALL wait_for_workers();

-- COPY into a hung worker fails the same way, and loads nothing
\! $NODE_CTL freeze worker_2
SELECT clock_timestamp() AS started \gset
COPY t FROM STDIN;
1001	1
1002	2
1003	3
1004	4
\.
SELECT clock_timestamp() - :'started' < interval '20 seconds' AS bounded;
\! $NODE_CTL thaw worker_2
CALL wait_for_workers();

-- a transaction that wrote on both workers rolls back when both hang
BEGIN;
UPDATE t SET v = v + 1000 WHERE id = :on_worker_1;
UPDATE t SET v = v + 1000 WHERE id = :on_worker_2;
\! $NODE_CTL freeze worker_1
\! $NODE_CTL freeze worker_2
SELECT clock_timestamp() AS started \gset
ROLLBACK;
SELECT clock_timestamp() - :'started' < interval '15 seconds' AS bounded;
\! $NODE_CTL thaw worker_1
\! $NODE_CTL thaw worker_2
CALL wait_for_workers();

-- everything works again, and nothing was half-applied
SELECT v FROM t WHERE id = :on_worker_2;
SELECT v FROM t WHERE id = :on_worker_1;
SELECT count(*) AS missing FROM (TABLE t_local EXCEPT ALL TABLE t) d;
SELECT count(*) AS extra FROM (TABLE t EXCEPT ALL TABLE t_local) d;
RESET shard.node_timeout;
DROP SCHEMA hang CASCADE;
