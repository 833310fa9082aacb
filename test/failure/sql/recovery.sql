-- recovery: two-phase commit when nodes or the coordinator fail.  A worker
-- killed inside a multi-node transaction aborts it everywhere; prepared
-- transactions left by a worker killed before COMMIT PREPARED, or by a
-- coordinator crash before or after its decision, are committed or rolled
-- back to match the decision, on demand and by the background worker.
-- shard.debug_fail_at (tests only) stops the commit at the chosen point.
SET client_min_messages TO warning;
\set VERBOSITY terse
CREATE SCHEMA recov;
SET search_path TO recov, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1500000;
\setenv PSQL_NODE 'psql -X -At -h 127.0.0.1 -d regression -p'
\setenv PREPARED 'SELECT count(*) FROM pg_prepared_xacts'

-- automatic recovery off for now: the on-demand function is tested first
ALTER SYSTEM SET shard.recovery_interval = -1;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);

CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t SELECT g, 0 FROM generate_series(1, 100) g;
SELECT shard.create_distributed_table('t', 'id', shard_count => 4);
SELECT min(id) AS on_worker_1 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('recov.t', id::text)) = :worker_1_port \gset
SELECT min(id) AS on_worker_2 FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('recov.t', id::text)) = :worker_2_port \gset
SELECT max(id) AS on_worker_2b FROM generate_series(1, 100) id
WHERE (SELECT port FROM shard.shards WHERE shard_id = shard.shard_id_for_value('recov.t', id::text)) = :worker_2_port \gset
\setenv ON_WORKER_1 :on_worker_1
\setenv ON_WORKER_2 :on_worker_2
SELECT shard.recover_prepared_transactions();
SELECT count(*) FROM shard.dist_transaction;

-- a write on two nodes records one decision per node; recovery deletes
-- them once the nodes committed
UPDATE t SET v = v WHERE id IN (:on_worker_1, :on_worker_2);
SELECT count(*) FROM shard.dist_transaction;
SELECT shard.recover_prepared_transactions();
SELECT count(*) FROM shard.dist_transaction;
-- a write on one node (even several statements on several shards of it)
-- commits in one phase: no decision row
UPDATE t SET v = v WHERE id = :on_worker_1;
BEGIN;
UPDATE t SET v = v WHERE id = :on_worker_2;
UPDATE t SET v = v WHERE id = :on_worker_2b;
DELETE FROM t WHERE id = :on_worker_2b;
INSERT INTO t VALUES (:on_worker_2b, 0);
COMMIT;
SELECT count(*) FROM shard.dist_transaction;

-- a worker killed in the middle of a multi-node transaction: the commit
-- fails and nothing is applied anywhere
BEGIN;
UPDATE t SET v = v + 1;
\! $NODE_CTL kill worker_2
UPDATE t SET v = v + 1 WHERE id = :on_worker_1;
COMMIT;
\! $NODE_CTL start worker_2
SELECT count(*), sum(v) FROM t;
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"

-- a worker killed between PREPARE and COMMIT PREPARED: the coordinator
-- committed, so recovery commits on every node
SET shard.debug_fail_at = 'skip_commit_prepared';
SET client_min_messages TO error;
UPDATE t SET v = v + 1;
RESET client_min_messages;
RESET shard.debug_fail_at;
\! $NODE_CTL kill worker_2
\! $NODE_CTL start worker_2
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"
SELECT sum(v) FROM t;
SELECT shard.recover_prepared_transactions();
SELECT count(*), sum(v) FROM t;
SELECT count(*) FROM shard.dist_transaction;
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"

-- the coordinator crashes after the nodes prepared, before its decision:
-- recovery rolls back
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $COORDINATOR_PORT -c "SET shard.debug_fail_at = 'after_prepare'" -c "UPDATE recov.t SET v = v + 10" >/dev/null 2>&1
\! sleep 1; until $PG_BINDIR/pg_isready -q -h 127.0.0.1 -p $COORDINATOR_PORT; do sleep 0.2; done
\c
SET search_path TO recov, public;
\set VERBOSITY terse
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"
SELECT shard.recover_prepared_transactions();
SELECT count(*), sum(v) FROM t;

-- the coordinator crashes after its decision, before COMMIT PREPARED:
-- recovery commits
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $COORDINATOR_PORT -c "SET shard.debug_fail_at = 'after_decision'" -c "UPDATE recov.t SET v = v + 10" >/dev/null 2>&1
\! sleep 1; until $PG_BINDIR/pg_isready -q -h 127.0.0.1 -p $COORDINATOR_PORT; do sleep 0.2; done
\c
SET search_path TO recov, public;
\set VERBOSITY terse
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"
SELECT shard.recover_prepared_transactions();
SELECT count(*), sum(v) FROM t;
SELECT count(*) FROM shard.dist_transaction;

-- automatic recovery: one transaction to commit (worker killed before
-- COMMIT PREPARED) and one to roll back (coordinator crash before the
-- decision), both resolved by the background worker
SET shard.debug_fail_at = 'skip_commit_prepared';
SET client_min_messages TO error;
UPDATE t SET v = v + 1 WHERE id IN (:on_worker_1, :on_worker_2);
RESET client_min_messages;
RESET shard.debug_fail_at;
\! $NODE_CTL kill worker_1
\! $NODE_CTL start worker_1
\! $PG_BINDIR/psql -X -q -h 127.0.0.1 -d regression -p $COORDINATOR_PORT -c "SET shard.debug_fail_at = 'after_prepare'" -c "UPDATE recov.t SET v = v + 10 WHERE id NOT IN ($ON_WORKER_1, $ON_WORKER_2)" >/dev/null 2>&1
\! sleep 1; until $PG_BINDIR/pg_isready -q -h 127.0.0.1 -p $COORDINATOR_PORT; do sleep 0.2; done
\c
SET search_path TO recov, public;
\set VERBOSITY terse
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"
ALTER SYSTEM SET shard.recovery_interval = '200ms';
SELECT pg_reload_conf();
-- wait (up to 30 s) until the nodes have nothing prepared
\! for i in $(seq 150); do [ "$($PSQL_NODE $WORKER_1_PORT -c "$PREPARED")$($PSQL_NODE $WORKER_2_PORT -c "$PREPARED")" = 00 ] && break; sleep 0.2; done
\! $PSQL_NODE $WORKER_1_PORT -c "$PREPARED"
\! $PSQL_NODE $WORKER_2_PORT -c "$PREPARED"
SELECT count(*), sum(v) FROM t;
SELECT v FROM t WHERE id IN (:on_worker_1, :on_worker_2) ORDER BY id;
-- and their decision rows are cleaned up too
SELECT count(*) FROM shard.dist_transaction;

ALTER SYSTEM RESET shard.recovery_interval;
SELECT pg_reload_conf();
DROP SCHEMA recov CASCADE;
