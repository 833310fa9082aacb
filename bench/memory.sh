#!/bin/bash
# bench/memory.sh: shows that queries streaming millions of rows through
# the coordinator run in bounded coordinator memory.  Starts its own
# coordinator and two workers (like scripts/cluster.sh, on ports
# $MEM_BENCH_PORT..+2, default 9750..9752, data in $MEM_BENCH_DIR, default
# /tmp/shard-mem-bench), loads N rows (default 5,000,000) into a 32-shard
# table, N rows of one distribution key into another 32-shard table and N
# rows into a reference table, then for the first 1M rows and for all N
# rows runs
#   A: COPY (SELECT ...) TO '/dev/null'                 (rows leave the server)
#   B: SELECT count(*), max(..) FROM (SELECT ... OFFSET 0) s
#      (OFFSET 0 keeps the subquery from being pushed down, so every row
#      crosses the coordinator)
#   C: a control that must grow (array_agg of every id on the coordinator)
#   D: COPY of a routed SELECT (every row from one shard: WHERE k = 1)
#   E: COPY of a reference table scan (one task on one node)
# each in a fresh backend, sampling that backend's /proc/<pid>/status every
# 20 ms: peak RssAnon (private memory: the query's own allocations, not
# shared buffers) and VmHWM at the end.  The peak must not grow with N.
# Stops and deletes the cluster it started.  Run as root, after shard is
# built and installed into $SHARD_PG_ROOT (test/run.sh does that):
#   SHARD_PG_ROOT=/opt/pgdev/NAME bench/memory.sh [rows]
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
require_root

ROWS=${1:-5000000}
DIR=${MEM_BENCH_DIR:-/tmp/shard-mem-bench}
BASE_PORT=${MEM_BENCH_PORT:-9750}
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
	port_in_use "$port" && die "port $port is in use (set MEM_BENCH_PORT)"
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

log "loading $ROWS rows into a 32-shard table"
psql_c <<SQL
SET client_min_messages TO warning;
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', $((BASE_PORT + 1))) \\g /dev/null
SELECT shard.add_node('127.0.0.1', $((BASE_PORT + 2))) \\g /dev/null
CREATE TABLE mem_rows (id bigint, payload text, amount numeric);
SELECT shard.create_distributed_table('mem_rows', 'id', shard_count => 32) \\g /dev/null
SQL
# INSERT ... SELECT through the coordinator, in chunks of a million rows
start=$(date +%s)
chunk=1000000
for ((lo = 1; lo <= ROWS; lo += chunk)); do
	hi=$((lo + chunk - 1)); [ $hi -gt "$ROWS" ] && hi=$ROWS
	psql_c -c "INSERT INTO mem_rows SELECT g, repeat('x', 40) || g, g / 7.0 FROM generate_series($lo, $hi) g"
done
log "loaded in $(( $(date +%s) - start )) s: $(psql_c -At -c 'SELECT count(*) FROM mem_rows') rows"

log "loading $ROWS rows of one key and a reference table of $ROWS rows"
psql_c <<SQL
SET client_min_messages TO warning;
CREATE TABLE mem_key (k int, id bigint, payload text);
SELECT shard.create_distributed_table('mem_key', 'k', shard_count => 32) \\g /dev/null
CREATE TABLE mem_ref (id bigint, payload text);
SELECT shard.create_reference_table('mem_ref') \\g /dev/null
SQL
start=$(date +%s)
for ((lo = 1; lo <= ROWS; lo += chunk)); do
	hi=$((lo + chunk - 1)); [ $hi -gt "$ROWS" ] && hi=$ROWS
	psql_c -c "INSERT INTO mem_key SELECT 1, g, repeat('x', 40) || g FROM generate_series($lo, $hi) g"
	psql_c -c "INSERT INTO mem_ref SELECT g, repeat('x', 40) || g FROM generate_series($lo, $hi) g"
done
log "loaded in $(( $(date +%s) - start )) s"

# measure LABEL SQL: run SQL in a fresh backend and sample its memory
measure() {
	local label=$1 sql=$2 pid peak=0 cur hwm start
	as_pg "$PG_PSQL" -X -q -At -h 127.0.0.1 -p "$PORT" -d "$DB" -v ON_ERROR_STOP=1 \
		-c "SET application_name = 'mem_bench'" -c "SELECT pg_sleep(0.3)" -c "$sql" \
		> "$DIR/out.txt" 2>&1 &
	local client=$!
	pid=""
	for _ in $(seq 1 100); do
		pid=$(psql_c -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'mem_bench'")
		[ -n "$pid" ] && break
		sleep 0.01
	done
	[ -n "$pid" ] || die "did not find the backend of $label"
	start=$(date +%s.%N)
	hwm=0
	while [ -r "/proc/$pid/status" ]; do
		cur=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ -n "$cur" ] && [ "$cur" -gt "$peak" ] && peak=$cur
		cur=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ -n "$cur" ] && [ "$cur" -gt "$hwm" ] && hwm=$cur
		kill -0 "$client" 2>/dev/null || break
		sleep 0.02
	done
	wait "$client" || { cat "$DIR/out.txt"; die "$label failed"; }
	printf '%-40s peak RssAnon %7d kB   VmHWM %7d kB   %5.1f s   result: %s\n' "$label" "$peak" "$hwm" \
		"$(echo "$(date +%s.%N) - $start" | bc)" "$(tail -n 1 "$DIR/out.txt" | cut -c 1-40)"
}

echo
echo "coordinator backend memory while streaming rows from 32 shards on 2 workers:"
for n in 1000000 "$ROWS"; do
	measure "A: COPY TO /dev/null, $n rows" \
		"COPY (SELECT id, payload, amount FROM mem_rows WHERE id <= $n) TO '/dev/null'"
	measure "B: count over OFFSET 0, $n rows" \
		"SELECT count(*), max(payload) FROM (SELECT id, payload FROM mem_rows WHERE id <= $n OFFSET 0) s"
	measure "C (control): array_agg, $n rows" \
		"SELECT cardinality(array_agg(id)) FROM (SELECT id FROM mem_rows WHERE id <= $n OFFSET 0) s"
	measure "D: routed COPY (one shard), $n rows" \
		"COPY (SELECT * FROM mem_key WHERE k = 1 AND id <= $n) TO '/dev/null'"
	measure "E: reference table COPY, $n rows" \
		"COPY (SELECT * FROM mem_ref WHERE id <= $n) TO '/dev/null'"
done
echo "A, B, D and E stream: their peak stays flat from 1M to $ROWS rows.  C keeps"
echo "every value in one array on purpose, to show that the sampling sees growth."
