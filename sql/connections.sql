-- connections: one cached connection per node is reused across statements,
-- a broken cached connection is replaced, and a cancelled statement
-- cancels the remote work too.
SET client_min_messages TO warning;
CREATE SCHEMA conn;
SET search_path TO conn, public;
ALTER SEQUENCE shard.shard_id_seq RESTART 1070000;
-- connections of this session are those opened from now on
SELECT clock_timestamp()::text AS t0 \gset
\setenv T0 :t0
CREATE TABLE kv (k int PRIMARY KEY, v text);
INSERT INTO kv SELECT g, 'v' || g FROM generate_series(1, 100) g;
SELECT shard.create_distributed_table('kv', 'k', shard_count => 4);
\setenv PSQL_NODE 'psql -X -At -h 127.0.0.1 -d regression -p'

-- forty statements, router and multi-shard, in and out of transactions
DO $$
BEGIN
	FOR i IN 1..20 LOOP
		PERFORM v FROM kv WHERE k = i;
	END LOOP;
END $$;
SELECT count(*) FROM kv;
SELECT v FROM kv WHERE k = 1;
BEGIN;
UPDATE kv SET v = v WHERE k = 2;
SELECT count(*) FROM kv;
COMMIT;
-- the coordinator session has opened one connection to each worker
\! $PSQL_NODE $WORKER_1_PORT -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'shard\_%' AND backend_start >= '$T0'"
\! $PSQL_NODE $WORKER_2_PORT -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'shard\_%' AND backend_start >= '$T0'"

-- the worker ends our session: the next statement reconnects transparently
\! $PSQL_NODE $WORKER_1_PORT -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'shard\_%' AND backend_start >= '$T0'"
SELECT pg_sleep(0.2);
SELECT count(*) FROM kv;
SELECT v FROM kv WHERE k = 3;
\! $PSQL_NODE $WORKER_1_PORT -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'shard\_%' AND backend_start >= '$T0'"

-- statement_timeout on the coordinator cancels the query on the worker
SET statement_timeout = '300ms';
SELECT count(*) FROM kv, generate_series(1, 400000000) g WHERE kv.k = 1;
RESET statement_timeout;
SELECT pg_sleep(0.5);
\! $PSQL_NODE $WORKER_1_PORT -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%400000000%' AND state = 'active' AND pid <> pg_backend_pid()"
\! $PSQL_NODE $WORKER_2_PORT -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%400000000%' AND state = 'active' AND pid <> pg_backend_pid()"
-- and the session goes on working
SELECT v FROM kv WHERE k = 1;
SELECT count(*) FROM kv;

DROP SCHEMA conn CASCADE;
