#!/bin/bash
# bench/slow_shapes.sh: the query shapes of issue 11 that used to re-read
# the shards once per outer row, timed on distributed tables against the
# same query on local copies in the same coordinator database.  Prints per
# shape: local ms, shard ms (median of SLOW_BENCH_RUNS runs, timed inside
# the server with clock_timestamp(), planning included), the speed ratio
# local/shard (higher is better; the target is none below 0.1x) and the
# top plan node of the distributed query.
#
# Starts its own coordinator and two workers (like bench/memory.sh, on
# ports $SLOW_BENCH_PORT..+2, default 42140..42142, data in
# $SLOW_BENCH_DIR, default /tmp/shard-slow-bench), loads TPC-H-like tables
# (customer by c_custkey, orders by o_orderkey, lineitem co-located with
# orders, nation a reference table) and the tables of BUG-2 (customers by
# id, orders by customer_id co-located, events by id), then stops and
# deletes the cluster.  Run as root, after shard is built and installed
# into $SHARD_PG_ROOT (test/run.sh does that):
#   SHARD_PG_ROOT=/work/pgroot/NAME bench/slow_shapes.sh [scale]
# scale (default 1): 3,000 TPC-H customers, 15,000 orders and 60,000
# lineitems; 2,000 BUG-2 customers, 12,000 orders and 6,000 events.
# SLOW_BENCH_EXPLAIN=1 also prints EXPLAIN ANALYZE of each distributed query.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
require_root

SCALE=${1:-1}
DIR=${SLOW_BENCH_DIR:-/tmp/shard-slow-bench}
BASE_PORT=${SLOW_BENCH_PORT:-42140}
RUNS=${SLOW_BENCH_RUNS:-3}
SHARDS=${SLOW_BENCH_SHARDS:-32}
NAMES=(coordinator worker1 worker2)
PORT=$BASE_PORT
DB=postgres

cleanup() {
	local name
	for name in "${NAMES[@]}"; do
		[ -d "$DIR/$name" ] && stop_node "$DIR/$name" immediate
	done
	rm -rf "$DIR"
}
trap cleanup EXIT

for port in $BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2)); do
	port_in_use "$port" && die "port $port is in use (set SLOW_BENCH_PORT)"
done
rm -rf "$DIR"
make_pg_dir "$DIR"
PG_RUN_CWD=$DIR
INITDB_NOSYNC=1
for i in 0 1 2; do
	role=worker
	[ $i -eq 0 ] && role=coordinator
	init_node "$DIR/${NAMES[$i]}" $((BASE_PORT + i)) "$DIR" "$role" "fsync = off" "shared_buffers = 128MB"
	start_node "$DIR/${NAMES[$i]}" "$DIR/${NAMES[$i]}.log"
done

psql_c() { pg_psql "$PORT" "$DB" -v ON_ERROR_STOP=1 -q "$@"; }

log "loading data (scale $SCALE, $SHARDS shards per table)"
psql_c <<SQL
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', $((BASE_PORT + 1)));
SELECT shard.add_node('127.0.0.1', $((BASE_PORT + 2)));
CREATE SCHEMA l;
CREATE SCHEMA d;
CREATE TABLE l.nation (n_nationkey int PRIMARY KEY, n_name text, n_regionkey int);
CREATE TABLE l.customer (c_custkey int PRIMARY KEY, c_name text, c_nationkey int,
	c_acctbal numeric(12,2), c_mktsegment text);
CREATE TABLE l.orders (o_orderkey int PRIMARY KEY, o_custkey int, o_orderstatus text,
	o_totalprice numeric(12,2), o_orderdate date, o_orderpriority text);
CREATE TABLE l.lineitem (l_orderkey int, l_linenumber int, l_quantity int,
	l_extendedprice numeric(12,2), l_discount numeric(4,2), l_shipdate date,
	l_commitdate date, l_receiptdate date, PRIMARY KEY (l_orderkey, l_linenumber));
CREATE TABLE l.customers (id int PRIMARY KEY, name text, email text, credit numeric(12,2));
CREATE TABLE l.purchases (id int, customer_id int, amount numeric(12,2), status text,
	PRIMARY KEY (customer_id, id));
CREATE TABLE l.events (id int PRIMARY KEY, customer_id int, purchase_id int, kind text,
	email text, score float8);
INSERT INTO l.nation SELECT g, 'NATION ' || g, g % 5 FROM generate_series(0, 24) g;
INSERT INTO l.customer SELECT g, 'Customer#' || g, g % 25, (g * 7919 % 1100000) / 100.0 - 1000,
	(ARRAY['BUILDING', 'AUTOMOBILE', 'MACHINERY', 'HOUSEHOLD', 'FURNITURE'])[g % 5 + 1]
FROM generate_series(1, 3000 * $SCALE) g;
INSERT INTO l.orders SELECT g, 1 + (g * 31) % (3000 * $SCALE), (ARRAY['O', 'F', 'P'])[g % 3 + 1],
	(g * 104729 % 50000000) / 100.0, date '1992-01-01' + (g * 7 % 2400),
	(ARRAY['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'])[g % 5 + 1]
FROM generate_series(1, 15000 * $SCALE) g;
INSERT INTO l.lineitem SELECT o, n, 1 + (o * n) % 50, ((o * n * 389) % 10000000) / 100.0,
	(o + n) % 11 / 100.0, date '1992-01-01' + (o * 7 % 2400) + n * 5,
	date '1992-01-01' + (o * 7 % 2400) + 30 + (o % 7), date '1992-01-01' + (o * 7 % 2400) + 28 + n * 3
FROM generate_series(1, 15000 * $SCALE) o, generate_series(1, 4) n;
INSERT INTO l.customers SELECT g, 'name ' || (g % 97), 'user' || g || '@example.com',
	((g * 7919) % 100000) / 100.0 - 150 FROM generate_series(1, 2000 * $SCALE) g;
INSERT INTO l.purchases SELECT g, CASE WHEN g % 3 = 0 THEN 7 ELSE 1 + (g * 31) % (1990 * $SCALE) END,
	((g * 104729) % 50000) / 100.0, (ARRAY['new', 'paid', 'shipped'])[g % 3 + 1]
FROM generate_series(1, 12000 * $SCALE) g;
INSERT INTO l.events SELECT g, 1 + (g * 17) % (2100 * $SCALE), 1 + (g * 13) % (12000 * $SCALE),
	(ARRAY['view', 'click', 'buy'])[g % 3 + 1], 'user' || (g * 7 % (2000 * $SCALE)) || '@example.com',
	(g * 37 % 101) / 7.0
FROM generate_series(1, 6000 * $SCALE) g;
CREATE TABLE d.nation (LIKE l.nation INCLUDING ALL);
CREATE TABLE d.customer (LIKE l.customer INCLUDING ALL);
CREATE TABLE d.orders (LIKE l.orders INCLUDING ALL);
CREATE TABLE d.lineitem (LIKE l.lineitem INCLUDING ALL);
CREATE TABLE d.customers (LIKE l.customers INCLUDING ALL);
CREATE TABLE d.purchases (LIKE l.purchases INCLUDING ALL);
CREATE TABLE d.events (LIKE l.events INCLUDING ALL);
SELECT shard.create_reference_table('d.nation');
SELECT shard.create_distributed_table('d.customer', 'c_custkey', shard_count => $SHARDS);
SELECT shard.create_distributed_table('d.orders', 'o_orderkey', shard_count => $SHARDS, colocate_with => 'none');
SELECT shard.create_distributed_table('d.lineitem', 'l_orderkey', colocate_with => 'd.orders');
SELECT shard.create_distributed_table('d.customers', 'id', shard_count => $SHARDS, colocate_with => 'none');
SELECT shard.create_distributed_table('d.purchases', 'customer_id', colocate_with => 'd.customers');
SELECT shard.create_distributed_table('d.events', 'id', shard_count => $SHARDS, colocate_with => 'none');
INSERT INTO d.nation SELECT * FROM l.nation;
INSERT INTO d.customer SELECT * FROM l.customer;
INSERT INTO d.orders SELECT * FROM l.orders;
INSERT INTO d.lineitem SELECT * FROM l.lineitem;
INSERT INTO d.customers SELECT * FROM l.customers;
INSERT INTO d.purchases SELECT * FROM l.purchases;
INSERT INTO d.events SELECT * FROM l.events;
-- named: ANALYZE of a distributed table brings the shards' statistics
ANALYZE l.nation, l.customer, l.orders, l.lineitem, l.customers, l.purchases, l.events;
ANALYZE d.nation, d.customer, d.orders, d.lineitem, d.customers, d.purchases, d.events;

-- median run time in ms of query with search_path schema
CREATE FUNCTION public.time_ms(schema text, query text, runs int) RETURNS numeric
LANGUAGE plpgsql AS \$\$
DECLARE
	t timestamptz;
	times numeric[] := '{}';
	r record;
BEGIN
	PERFORM set_config('search_path', schema, true);
	FOR i IN 1 .. runs LOOP
		t := clock_timestamp();
		FOR r IN EXECUTE query LOOP END LOOP;
		times := times || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
	END LOOP;
	RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x);
END \$\$;
SQL

# shape NAME QUERY: one line of the table
shape() {
	local name=$1 query=$2 lms sms top
	lms=$(psql_c -At -c "SELECT round(time_ms('l', \$q\$$query\$q\$, $RUNS), 1)")
	sms=$(psql_c -At -c "SELECT round(time_ms('d', \$q\$$query\$q\$, $RUNS), 1)")
	top=$(psql_c -At -c "SET search_path = d" -c "EXPLAIN (COSTS OFF) $query" |
		grep -E "^[A-Z]|Strategy" | head -2 | sed 's/^ *//' | paste -sd' ' | cut -c1-60)
	if [ "${SLOW_BENCH_EXPLAIN:-0}" = 1 ]; then
		psql_c -c "SET search_path = d" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $query" |
			grep -v "Remote SQL\|Tasks Shown\|Node:" >&2
	fi
	printf "%-34s %10s %10s %8s  %s\n" "$name" "$lms" "$sms" \
		"$(awk -v l="$lms" -v s="$sms" 'BEGIN { printf "%.2fx", (s > 0 ? l / s : 0) }')" "$top"
}

printf "%-34s %10s %10s %8s  %s\n" "shape" "local ms" "shard ms" "ratio" "shard plan"
shape "correlated scalar (BUG-2)" \
	"SELECT c.id FROM customers c WHERE c.credit > (SELECT avg(p.amount) FROM purchases p WHERE p.customer_id = c.id)"
shape "correlated scalar, not co-located" \
	"SELECT c.id FROM customers c WHERE (SELECT count(*) FROM events e WHERE e.customer_id = c.id) > 2"
shape "correlated scalar on a dist key" \
	"SELECT e.id FROM events e WHERE (SELECT c.credit FROM customers c WHERE c.id = e.customer_id) > 100"
shape "correlated EXISTS (TPC-H Q4)" \
	"SELECT o_orderpriority, count(*) FROM orders o WHERE o_orderdate >= date '1994-01-01' AND o_orderdate < date '1994-04-01' AND EXISTS (SELECT 1 FROM lineitem l WHERE l.l_orderkey = o.o_orderkey AND l_commitdate < l_receiptdate) GROUP BY o_orderpriority ORDER BY o_orderpriority"
shape "correlated NOT EXISTS" \
	"SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = c.id AND p.status = 'new')"
shape "IN (SELECT .. IN (SELECT ..))" \
	"SELECT id FROM customers WHERE id IN (SELECT customer_id FROM purchases WHERE id IN (SELECT purchase_id FROM events WHERE score > 10))"
shape "join on an expression" \
	"SELECT c.id, count(*) FROM customers c JOIN events e ON e.customer_id = c.id + 1 GROUP BY c.id"
shape "join on a non-dist text key" \
	"SELECT c.name, count(*) FROM customers c JOIN events e ON e.email = c.email GROUP BY c.name"
shape "join with a reference table" \
	"SELECT n_name, sum(o_totalprice) FROM customer JOIN nation ON n_nationkey = c_nationkey JOIN orders ON o_custkey = c_custkey GROUP BY n_name"
shape "c x o x l GROUP BY ORDER BY LIMIT" \
	"SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate FROM customer, orders, lineitem WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate < date '1995-03-15' AND l_shipdate > date '1995-03-15' GROUP BY l_orderkey, o_orderdate ORDER BY revenue DESC, o_orderdate LIMIT 10"
