-- pgbench_consistency: pgbench's TPC-B-like workload on distributed tables,
-- 8 clients for 15 s, while worker_2 is killed (immediate shutdown) and
-- restarted.  Transactions fail during the outage (pgbench clients abort on
-- errors, so pgbench is started again until the time is up); afterwards,
-- with the prepared transactions recovered, every committed transaction is
-- whole on every node: the balances of accounts, tellers, branches and the
-- deltas of history all agree.
SET client_min_messages TO warning;
CREATE SCHEMA bench;
SET search_path TO bench, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1510000;
\setenv PGOPTIONS '-c search_path=bench'
\! $PG_BINDIR/pgbench -q -i -s 1 -I dtgp -h 127.0.0.1 -p $COORDINATOR_PORT regression >/dev/null 2>&1
SELECT count(*) FROM pgbench_accounts;
SELECT shard.create_distributed_table('pgbench_accounts', 'aid', shard_count => 4);
SELECT shard.create_distributed_table('pgbench_branches', 'bid', shard_count => 4);
SELECT shard.create_distributed_table('pgbench_tellers', 'tid', shard_count => 4);
SELECT shard.create_distributed_table('pgbench_history', 'aid', shard_count => 4);
SELECT count(*) FROM pgbench_accounts;

-- 15 s of load; worker_2 down from about 4 s to 7 s
\! (sleep 4; $NODE_CTL kill worker_2; sleep 3; $NODE_CTL start worker_2) & end=$(($(date +%s) + 15)); while [ $(date +%s) -lt $end ]; do $PG_BINDIR/pgbench -n -c 8 -j 2 -T $((end - $(date +%s) + 1)) -h 127.0.0.1 -p $COORDINATOR_PORT regression >>$SHARD_TEST_DIR/pgbench_consistency.log 2>&1; sleep 0.2; done; wait
\setenv PGOPTIONS ''

-- resolve what the outage left prepared, then nothing is left anywhere
SELECT shard.recover_prepared_transactions() >= 0 AS recovered;
\! psql -X -At -h 127.0.0.1 -d regression -p $WORKER_1_PORT -c "SELECT count(*) FROM pg_prepared_xacts"
\! psql -X -At -h 127.0.0.1 -d regression -p $WORKER_2_PORT -c "SELECT count(*) FROM pg_prepared_xacts"
SELECT count(*) FROM shard.dist_transaction;

-- work was done, and it all adds up
SELECT count(*) > 100 AS enough_transactions FROM pgbench_history;
SELECT a.sum = t.sum AND t.sum = b.sum AND b.sum = h.sum AS balanced,
       a.sum = t.sum AS accounts_tellers, t.sum = b.sum AS tellers_branches,
       b.sum = h.sum AS branches_history
FROM (SELECT sum(abalance) FROM pgbench_accounts) a,
     (SELECT sum(tbalance) FROM pgbench_tellers) t,
     (SELECT sum(bbalance) FROM pgbench_branches) b,
     (SELECT coalesce(sum(delta), 0) AS sum FROM pgbench_history) h;
DROP SCHEMA bench CASCADE;
