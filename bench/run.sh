#!/bin/bash
# bench/run.sh: the benchmark suite of shard.  Run as root on Debian 12.
#
#   bench/run.sh                  full run (well under 15 minutes)
#   BENCH_QUICK=1 bench/run.sh    small sizes and short runs (about 2 minutes)
#
# It builds and installs shard (as test/run.sh does), then, one at a time:
#   1. starts a plain PostgreSQL 15 server, loads the data, runs every
#      workload, stops it;
#   2. starts a shard cluster (coordinator + 2 workers on loopback, 32 shards
#      per table) with the same settings, loads the same data through the
#      coordinator, runs the same workloads through it, stops it;
# and prints one table: workload | plain | shard | shard/plain, plus the
# coordinator-side cost per routed statement (one client, 32 vs 512 shards).
# The table is also written to bench/results/<timestamp>.txt (git ignores
# it), next to the raw pgbench and psql output in bench/results/<timestamp>/.
#
# Workloads (8 clients, 2 pgbench threads):
#   a. point SELECT by key on kv(k bigint primary key, v text), -M prepared
#      and -M simple
#   b. single-row INSERT into ins(k bigint primary key, ...), random keys
#   c. UPDATE by key on kv
#   d. pgbench's builtin tpcb-like, accounts/branches/tellers/history
#      distributed by aid/bid/tid/aid; failed transactions are counted
#   e. COPY of a CSV file (bigint, text, timestamptz, numeric) with psql
#      \copy: rows/s; "n/a" when the shard cluster refuses it
#   f. analytics over events (distributed by id) and details (co-located):
#      count(*), sum/avg GROUP BY a 100-value column, GROUP BY a
#      high-cardinality column ORDER BY count DESC LIMIT 10, a co-located
#      join with an aggregate; median of BENCH_RUNS runs, timed client-side
#      by psql's \timing (whole round trip, planning included)
#   g. coordinator cost: point SELECT -M prepared with one client against
#      kv (32 shards) and kv_many (512 shards): latency per statement, and
#      the CPU time per statement of the coordinator backend and of the
#      worker backends serving it (utime+stime from /proc/PID/stat, from the
#      end of a warm-up until the backends exit), fastest of a few
#      interleaved runs
#
# Every figure is "higher is better" in the ratio column: for rates it is
# shard/plain, for times plain/shard (the speed ratio).
#
# Settings (environment variables; defaults, then BENCH_QUICK=1 defaults):
#   BENCH_DIR            data directories, logs, sockets   /tmp/shard-bench
#   BENCH_PORT           plain server port; the shard cluster uses +1 (coordinator),
#                        +2 and +3 (workers); below the ephemeral range
#                        (32768-60999), where a client socket can hold a port  25432
#   BENCH_DURATION       seconds per pgbench run           20 / 5
#   BENCH_LATENCY_DURATION  seconds per one-client run (g) 15 / 6
#   BENCH_CLIENTS        pgbench clients                   8
#   BENCH_THREADS        pgbench threads                   2
#   BENCH_KV_ROWS        rows of kv and kv_many            1000000 / 100000
#   BENCH_TPCB_SCALE     pgbench scale for d               20 / 2
#   BENCH_COPY_ROWS      rows copied in e                  2000000 / 200000
#   BENCH_ANALYTICS_ROWS rows of events in f (details: 1/5 of it)  5000000 / 500000
#   BENCH_RUNS           runs per analytics query (median) 5 / 3
#   BENCH_SHARDS         shards per table                  32
#   BENCH_SHARDS_MANY    shards of kv_many in g            512
#   BENCH_SHARED_BUFFERS shared_buffers of every server    512MB
#   BENCH_QUERY_TIMEOUT  statement_timeout of f, seconds   300
#   BENCH_WRITE_MODE     pgbench -M of b, c and d           prepared
#   BENCH_WORKLOADS      which to run, any of: select insert update tpcb copy
#                        analytics latency                  all of them
#   BENCH_SYSTEMS        plain, shard or both               "plain shard"
#   BENCH_LATENCY_REPEAT one-client runs per table in g, interleaved; the
#                        fastest counts (the machine is shared)  2
#   BENCH_LATENCY_WARMUP seconds of g not measured        3 / 2
#   BENCH_PERF=1         also profile one coordinator backend with perf record
#                        during extra 8-client point SELECT runs (-M prepared and
#                        -M simple): grouped summary printed, reports in
#                        bench/results/<timestamp>/perf-*.txt
#   BENCH_SKIP_BUILD=1   do not build and install shard (it must be installed)
#   SHARD_PG_ROOT        a relocated PostgreSQL copy (see scripts/lib.sh)
#
# Every server it started is stopped on exit, error or Ctrl-C.  The data
# directory is deleted and made again at the start of each run.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

QUICK=${BENCH_QUICK:-0}
q_or() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

BENCH_DIR=${BENCH_DIR:-/tmp/shard-bench}
BASE_PORT=${BENCH_PORT:-25432}
DURATION=${BENCH_DURATION:-$(q_or 20 5)}
LATENCY_DURATION=${BENCH_LATENCY_DURATION:-$(q_or 15 6)}
CLIENTS=${BENCH_CLIENTS:-8}
THREADS=${BENCH_THREADS:-2}
KV_ROWS=${BENCH_KV_ROWS:-$(q_or 1000000 100000)}
TPCB_SCALE=${BENCH_TPCB_SCALE:-$(q_or 20 2)}
COPY_ROWS=${BENCH_COPY_ROWS:-$(q_or 2000000 200000)}
ANALYTICS_ROWS=${BENCH_ANALYTICS_ROWS:-$(q_or 5000000 500000)}
RUNS=${BENCH_RUNS:-$(q_or 5 3)}
SHARDS=${BENCH_SHARDS:-32}
SHARDS_MANY=${BENCH_SHARDS_MANY:-512}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-512MB}
QUERY_TIMEOUT=${BENCH_QUERY_TIMEOUT:-300}
WRITE_MODE=${BENCH_WRITE_MODE:-prepared}
WORKLOADS=${BENCH_WORKLOADS:-select insert update tpcb copy analytics latency}
SYSTEMS=${BENCH_SYSTEMS:-plain shard}
PERF=${BENCH_PERF:-0}
LATENCY_REPEAT=${BENCH_LATENCY_REPEAT:-2}
LATENCY_WARMUP=${BENCH_LATENCY_WARMUP:-$(q_or 3 2)}

DB=bench
PGBENCH=$PG_BINDIR/pgbench
PLAIN_PORT=$BASE_PORT
SHARD_PORTS=($((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 3)))
SHARD_NAMES=(coordinator worker1 worker2)
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS_DIR=$SHARD_REPO/bench/results
RUN_DIR=$RESULTS_DIR/$STAMP	# raw outputs
SCRIPT_DIR=$BENCH_DIR/scripts	# pgbench scripts, readable by postgres
COPY_FILE=$BENCH_DIR/copy.csv
CLK_TCK=$(getconf CLK_TCK)

# the servers this run started, as data directories, for cleanup
STARTED=()
BG_PID=""
# results: RES[<key>,plain|shard] = figure; ORDER = keys in table order
declare -A RES=() LABEL=() KIND=()
ORDER=()
# g results: LAT[<system>] = "latency_us coord_cpu_us worker_cpu_us"
declare -A LAT=()

wants() { [[ " $WORKLOADS " == *" $1 "* ]]; }
has_system() { [[ " $SYSTEMS " == *" $1 "* ]]; }

# add_row KEY KIND LABEL: a line of the final table; KIND is "rate" (higher
# is better) or "time" (lower is better).
add_row() {
	ORDER+=("$1")
	KIND[$1]=$2
	LABEL[$1]=$3
}

# record KEY SYSTEM VALUE
record() { RES[$1,$2]=$3; }

cleanup() {
	local rc=$? d
	set +e
	trap - EXIT INT TERM
	if [ -n "$BG_PID" ]; then
		kill "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
	fi
	PG_RUN_CWD=/
	for d in "${STARTED[@]}"; do
		stop_node "$d" fast
	done
	[ "$rc" -ne 0 ] && echo "bench/run.sh stopped with status $rc; logs in $BENCH_DIR/*.log" >&2
	exit "$rc"
}

# psql_q PORT SQL...: run SQL in the bench database, unaligned, quiet; stop on
# the first error.
psql_q() {
	local port=$1
	shift
	pg_psql "$port" "$DB" -qAt -v ON_ERROR_STOP=1 "$@"
}

# start_server NAME PORT ROLE: initdb and start one server with the
# benchmark settings, the same for every server.
start_server() {
	local name=$1 port=$2 role=$3 datadir=$BENCH_DIR/$1
	port_in_use "$port" && die "port $port is already in use (set BENCH_PORT)"
	log "initdb and start $name on port $port"
	init_node "$datadir" "$port" "$BENCH_DIR" "$role" \
		"shared_buffers = $SHARED_BUFFERS" \
		"fsync = on" "synchronous_commit = on" "full_page_writes = on" \
		"max_wal_size = 8GB" "checkpoint_timeout = 30min" \
		"log_min_messages = warning"
	STARTED+=("$datadir")
	start_node "$datadir" "$BENCH_DIR/$name.log"
	pg_psql "$port" postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB TEMPLATE template0"
}

stop_server() {
	local datadir=$BENCH_DIR/$1 d rest=()
	PG_RUN_CWD=/
	stop_node "$datadir" fast
	PG_RUN_CWD=$BENCH_DIR
	for d in "${STARTED[@]}"; do
		[ "$d" != "$datadir" ] && rest+=("$d")
	done
	STARTED=("${rest[@]+"${rest[@]}"}")
}

# distribute SYSTEM PORT TABLE COLUMN [SHARDS [COLOCATE_WITH]]: make TABLE a
# distributed table on the shard cluster; nothing on plain.
distribute() {
	local system=$1 port=$2 table=$3 column=$4 shards=${5:-$SHARDS} colocate=${6:-default}
	[ "$system" = shard ] || return 0
	psql_q "$port" -c "SELECT shard.create_distributed_table('$table', '$column', shard_count => $shards, colocate_with => '$colocate')" >/dev/null
}

# vacuum_all SYSTEM PORT: VACUUM ANALYZE every server of a system, so that
# both start the workloads with fresh statistics and visibility maps.
vacuum_all() {
	local system=$1 port=$2 p
	if [ "$system" = plain ]; then
		psql_q "$port" -c "VACUUM ANALYZE"
	else
		for p in "${SHARD_PORTS[@]:1}"; do
			psql_q "$p" -c "VACUUM ANALYZE"
		done
		# ANALYZE through the coordinator, as a DBA would: the shells get
		# the shards' statistics, which the planner uses (e.g. to choose
		# between partial aggregation and the coordinator-side path)
		psql_q "$port" -c "DO \$\$ DECLARE r record; BEGIN FOR r IN SELECT table_name FROM shard.tables LOOP EXECUTE format('ANALYZE %s', r.table_name); END LOOP; END \$\$"
	fi
	psql_q "$port" -c "CHECKPOINT"
	if [ "$system" = shard ]; then
		for p in "${SHARD_PORTS[@]:1}"; do
			psql_q "$p" -c "CHECKPOINT"
		done
	fi
}

write_scripts() {
	make_pg_dir "$SCRIPT_DIR"
	cat >"$SCRIPT_DIR/select.sql" <<'EOF'
\set k random(1, :rows)
SELECT v FROM kv WHERE k = :k;
EOF
	cat >"$SCRIPT_DIR/select_many.sql" <<'EOF'
\set k random(1, :rows)
SELECT v FROM kv_many WHERE k = :k;
EOF
	# random 63-bit keys: a collision among a few million rows is
	# vanishingly unlikely, and no coordinator sequence is involved
	cat >"$SCRIPT_DIR/insert.sql" <<'EOF'
\set k random(1, 9223372036854775806)
INSERT INTO ins (k, client, v) VALUES (:k, :client_id, 'inserted row');
EOF
	cat >"$SCRIPT_DIR/update.sql" <<'EOF'
\set k random(1, :rows)
\set n random(1, 1000000)
UPDATE kv SET v = 'updated ' || :n WHERE k = :k;
EOF
	chown -R "$PG_USER:" "$SCRIPT_DIR"
}

# load_data SYSTEM PORT: create and fill the tables of the workloads chosen.
load_data() {
	local system=$1 port=$2 t0
	t0=$(date +%s)
	if wants select || wants update || wants latency; then
		log "$system: loading kv ($KV_ROWS rows)"
		psql_q "$port" <<SQL
CREATE TABLE kv (k bigint PRIMARY KEY, v text);
INSERT INTO kv SELECT g, 'value ' || g FROM generate_series(1, $KV_ROWS) g;
SQL
		distribute "$system" "$port" kv k
	fi
	if wants latency && [ "$system" = shard ]; then
		log "$system: loading kv_many ($KV_ROWS rows, $SHARDS_MANY shards)"
		psql_q "$port" <<SQL
CREATE TABLE kv_many (k bigint PRIMARY KEY, v text);
INSERT INTO kv_many SELECT g, 'value ' || g FROM generate_series(1, $KV_ROWS) g;
SQL
		distribute "$system" "$port" kv_many k "$SHARDS_MANY" none
	fi
	if wants insert; then
		psql_q "$port" -c "CREATE TABLE ins (k bigint PRIMARY KEY, client int, v text)"
		distribute "$system" "$port" ins k
	fi
	if wants tpcb; then
		log "$system: pgbench -i -s $TPCB_SCALE"
		as_pg "$PGBENCH" -h 127.0.0.1 -p "$port" -U "$PG_USER" -i -q -s "$TPCB_SCALE" "$DB" \
			>"$RUN_DIR/$system-tpcb-init.log" 2>&1 ||
			{ tail -n 20 "$RUN_DIR/$system-tpcb-init.log"; die "pgbench -i failed on $system"; }
		distribute "$system" "$port" pgbench_accounts aid
		distribute "$system" "$port" pgbench_branches bid
		distribute "$system" "$port" pgbench_tellers tid
		distribute "$system" "$port" pgbench_history aid
	fi
	if wants copy; then
		psql_q "$port" -c "CREATE TABLE copy_target (id bigint, name text, created timestamptz, amount numeric)"
		distribute "$system" "$port" copy_target id
		if [ ! -f "$COPY_FILE" ]; then
			log "$system: writing $COPY_FILE ($COPY_ROWS rows)"
			psql_q "$port" -c "COPY (SELECT g, md5(g::text), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', (g % 100000) / 100.0 FROM generate_series(1, $COPY_ROWS) g) TO '$COPY_FILE' WITH (FORMAT csv)"
		fi
	fi
	if wants analytics; then
		log "$system: loading events ($ANALYTICS_ROWS rows) and details ($((ANALYTICS_ROWS / 5)) rows)"
		# cat: 100 values; uid: about rows/5 values, skewed so that the
		# top 10 are well defined
		psql_q "$port" <<SQL
CREATE TABLE events (id bigint PRIMARY KEY, cat int NOT NULL, uid bigint NOT NULL, amount numeric(12,2) NOT NULL, payload text);
INSERT INTO events
SELECT g, g % 100, (hashint8(g) & 2147483647) % ($ANALYTICS_ROWS / 5 + 1) / (1 + (g % 3)), (g % 10000) / 100.0, 'payload ' || g
FROM generate_series(1, $ANALYTICS_ROWS) g;
CREATE TABLE details (id bigint PRIMARY KEY, score int NOT NULL);
INSERT INTO details SELECT g * 5, g % 1000 FROM generate_series(1, $ANALYTICS_ROWS / 5) g;
SQL
		distribute "$system" "$port" events id
		distribute "$system" "$port" details id "$SHARDS" events
	fi
	vacuum_all "$system" "$port"
	log "$system: data loaded in $(($(date +%s) - t0)) s"
}

# run_pgbench OUT PORT CLIENTS THREADS SECONDS MODE ARGS...: run pgbench as
# postgres, output to OUT; returns pgbench's exit status.
run_pgbench() {
	local out=$1 port=$2 clients=$3 threads=$4 seconds=$5 mode=$6
	shift 6
	as_pg "$PGBENCH" -h 127.0.0.1 -p "$port" -U "$PG_USER" -n \
		-c "$clients" -j "$threads" -T "$seconds" -M "$mode" \
		-D rows="$KV_ROWS" "$@" "$DB" >"$out" 2>&1
}

# tps_of FILE: the tps pgbench printed (without connection time), or empty
tps_of() {
	sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$1" | head -n 1
}

# pgbench_workload KEY SYSTEM PORT MODE ARGS...: one 8-client run; records tps
# or "error".
pgbench_workload() {
	local key=$1 system=$2 port=$3 mode=$4 out tps failed
	shift 4
	out=$RUN_DIR/$system-$key.log
	log "$system: ${LABEL[$key]} (${DURATION}s)"
	if run_pgbench "$out" "$port" "$CLIENTS" "$THREADS" "$DURATION" "$mode" "$@"; then
		tps=$(tps_of "$out")
		record "$key" "$system" "${tps:-error}"
	else
		record "$key" "$system" error
		echo "    pgbench failed on $system; last lines of $out:"
		tail -n 5 "$out" | sed 's/^/    /'
	fi
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out" | head -n 1)
	printf '    tps %s, failed transactions %s\n' "${RES[$key,$system]}" "${failed:-?}"
	FAILED_XACTS[$key,$system]=${failed:-?}
}
declare -A FAILED_XACTS=()

# copy_workload SYSTEM PORT: \copy the CSV file into copy_target; rows/s or
# n/a with the error.
copy_workload() {
	local system=$1 port=$2 out ms
	out=$RUN_DIR/$system-copy.log
	log "$system: ${LABEL[copy]}"
	if pg_psql "$port" "$DB" -v ON_ERROR_STOP=1 \
		-c '\timing on' -c "\\copy copy_target FROM '$COPY_FILE' WITH (FORMAT csv)" >"$out" 2>&1; then
		ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$out" | tail -n 1)
		record copy "$system" "$(awk -v r="$COPY_ROWS" -v ms="$ms" 'BEGIN { printf "%.0f", r / (ms / 1000) }')"
		printf '    %s rows in %s ms\n' "$COPY_ROWS" "$ms"
	else
		record copy "$system" n/a
		echo "    COPY failed on $system (recorded as n/a): $(grep -m1 ERROR "$out" || tail -n 1 "$out")"
	fi
}

# median: the median of the numbers on stdin
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# query_workload KEY SYSTEM PORT SQL: run SQL RUNS times in one session with
# \timing; records the median in ms, or "error".
query_workload() {
	local key=$1 system=$2 port=$3 sql=$4 out i args=() ms
	out=$RUN_DIR/$system-$key.log
	args=(-c '\timing on' -c "SET statement_timeout = '${QUERY_TIMEOUT}s'" -c '\o /dev/null')
	for ((i = 0; i < RUNS; i++)); do
		args+=(-c "$sql")
	done
	log "$system: ${LABEL[$key]}"
	if pg_psql "$port" "$DB" -v ON_ERROR_STOP=1 "${args[@]}" >"$out" 2>&1; then
		ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$out" | tail -n "$RUNS" | median)
		record "$key" "$system" "${ms:-error}"
		printf '    runs (ms): %s; median %s\n' "$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$out" | tail -n "$RUNS" | tr '\n' ' ')" "$ms"
	else
		record "$key" "$system" error
		echo "    query failed on $system: $(grep -m1 ERROR "$out" || tail -n 1 "$out")"
	fi
}

# backend_pids PORT APPNAME: pids of client backends with that application_name
backend_pids() {
	psql_q "$1" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$2' AND backend_type = 'client backend'"
}

# node_backend_pids PORT COORDINATOR_PID: pids of the backends on a worker
# that serve one coordinator backend: shard names its node connections
# "shard_<system id>_<coordinator pid>" (older builds: "shard")
node_backend_pids() {
	psql_q "$1" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND (application_name = 'shard' OR application_name LIKE 'shard\\_%\\_$2')"
}

# cpu_ticks PID: utime + stime of a process in clock ticks, or nothing when it
# is gone (fields 14 and 15 of /proc/PID/stat, counted after the command name)
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	set -- $s
	echo $((${12} + ${13}))
}

# progress_count FILE: how many "progress:" lines pgbench -P 1 printed
progress_count() { grep -c '^progress:' "$1" || true; }

# progress_xacts FILE N: transactions in the first N progress intervals
# (each line's tps times its one-second interval)
progress_xacts() {
	awk -v n="$2" '/^progress:/ && ++i <= n { for (f = 1; f < NF; f++) if ($(f + 1) == "tps,") s += $f } END { printf "%.0f", s }' "$1"
}

# latency_workload LABEL SYSTEM PORT SCRIPT: one client, point SELECT
# -M prepared; LAT[LABEL] = "latency_us backend_cpu_us worker_cpu_us" of the
# fastest run so far.  Only the steady state counts: the backend serving
# pgbench (and, for shard, the worker backends serving it, found by
# application_name) are measured from the end of the warm-up (the
# LATENCY_WARMUP-th pgbench progress line, when caches are built and
# connections open) to their exit.  CPU is utime+stime from /proc/PID/stat,
# sampled every 0.1 s; transactions in the window are the total minus
# those of the warm-up progress lines.
latency_workload() {
	local label=$1 system=$2 port=$3 script=$4 out pids=() p t tries xacts before
	local -A first=() last=()
	out=$RUN_DIR/$system-latency-$label.log
	log "$system: one-client point SELECT -M prepared on $label (${LATENCY_DURATION}s, ${LATENCY_WARMUP}s warm-up)"
	run_pgbench "$out" "$port" 1 1 "$LATENCY_DURATION" prepared -P 1 -f "$SCRIPT_DIR/$script" &
	BG_PID=$!
	for tries in $(seq 1 100); do
		sleep 0.05
		[ "$(progress_count "$out")" -ge 1 ] && break
	done
	pids=($(backend_pids "$port" pgbench))
	if [ "$system" = shard ]; then
		local coord=${pids[0]:-0}
		for p in "${SHARD_PORTS[@]:1}"; do
			pids+=($(node_backend_pids "$p" "$coord"))
		done
	fi
	while [ "$(progress_count "$out")" -lt "$LATENCY_WARMUP" ] && kill -0 "$BG_PID" 2>/dev/null; do
		sleep 0.02
	done
	for p in "${pids[@]}"; do
		first[$p]=$(cpu_ticks "$p")
	done
	local alive=1
	while [ "$alive" -eq 1 ]; do
		alive=0
		for p in "${pids[@]}"; do
			t=$(cpu_ticks "$p")
			if [ -n "$t" ]; then
				last[$p]=$t
				alive=1
			fi
		done
		[ "$alive" -eq 1 ] && sleep 0.1
	done
	wait "$BG_PID" || echo "    pgbench failed: $(tail -n 1 "$out")"
	BG_PID=""
	xacts=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
	before=$(progress_xacts "$out" "$LATENCY_WARMUP")
	if [ -z "$xacts" ] || [ $((xacts - before)) -le 0 ] || [ ${#pids[@]} -eq 0 ] ||
		[ -z "${first[${pids[0]}]:-}" ]; then
		echo "    no measurement (pgbench output: $(tail -n 1 "$out"))"
		[ -n "${LAT[$label]:-}" ] || LAT[$label]="error error error"
		return 0
	fi
	local main=${pids[0]} wsum=0 n=$((xacts - before))
	for p in "${pids[@]:1}"; do
		wsum=$((wsum + ${last[$p]:-0} - ${first[$p]:-0}))
	done
	local prev=${LAT[$label]:-} now
	now=$(awk -v n="$n" -v secs=$((LATENCY_DURATION - LATENCY_WARMUP)) -v b=$((${last[$main]:-0} - ${first[$main]})) \
		-v w="$wsum" -v hz="$CLK_TCK" -v sys="$system" \
		'BEGIN { printf "%.1f %.1f %s", secs * 1e6 / n, b * 1e6 / hz / n, (sys == "shard") ? sprintf("%.1f", w * 1e6 / hz / n) : "-" }')
	printf '    %s transactions after warm-up; latency, backend CPU, worker CPU per statement (us): %s\n' "$n" "$now"
	# keep the fastest run
	if [ -z "$prev" ] || [ "${prev%% *}" = error ] ||
		awk -v a="${now%% *}" -v b="${prev%% *}" 'BEGIN { exit !(a < b) }'; then
		LAT[$label]=$now
	fi
}

# PROFILE_GROUPS: "group|symbol symbol ..." lines; perf_profile prints the
# inclusive share of each symbol found in the profile, by group.  Symbols
# that are not in the profile (renamed, inlined, not on the path) are
# skipped.
PROFILE_GROUPS=(
	"reading the next client command (incl. sleeping on it)|pq_getbyte"
	"parse and analyze (simple protocol only)|pg_parse_query pg_analyze_and_rewrite_fixedparams"
	"planning (cached plan check / planner hook)|GetCachedPlan pg_plan_queries ShardPlanner"
	"shard lookup|LookupDistTable FindShardForValue ShardIdForValue FindShardInterval"
	"deparse|DeparseForShard DeparseQuery PrepareRemoteCommand AppendRemotePrefix"
	"executor startup|PortalStart standard_ExecutorStart BeginShardScan"
	"connection lookup and health check|GetNodeConnection ConnectionLooksHealthy"
	"libpq send to the worker|PQsendQueryParams PQsendQueryPrepared SendRemoteCommand"
	"waiting for the worker (epoll_wait, incl. context switches)|WaitForReadableConnection WaitEventSetWait"
	"WaitEventSet creation and teardown|CreateWaitEventSet AddWaitEventToSet FreeWaitEventSet"
	"libpq receive|PQconsumeInput PQisBusy PQgetResult GetRemoteResult"
	"result to the client|secure_write printtup"
	"commit and transaction callbacks|CommitTransactionCommand RemoteXactCallback ActiveConnectionList"
)

# perf_profile PORT: record one coordinator backend (call graphs from DWARF
# unwinding: Debian's postgres has no frame pointers) during an 8-client
# point SELECT run in each protocol, and write the reports.
perf_profile() {
	local port=$1 out pid secs mode data line group syms sym pct
	command -v perf >/dev/null || { echo "    perf not found (apt-get install linux-perf); no profile"; return 0; }
	secs=$((DURATION > 6 ? DURATION - 3 : 3))
	for mode in prepared simple; do
		out=$RUN_DIR/shard-perf-$mode-run.log
		data=$RUN_DIR/perf-$mode.data
		log "shard: perf record of one coordinator backend, 8-client point SELECT -M $mode"
		run_pgbench "$out" "$port" "$CLIENTS" "$THREADS" $((secs + 3)) "$mode" -f "$SCRIPT_DIR/select.sql" &
		BG_PID=$!
		sleep 1.5
		pid=$(backend_pids "$port" pgbench | head -n 1)
		if [ -n "$pid" ]; then
			perf record -q --call-graph dwarf,16384 -F 1000 -p "$pid" -o "$data" -- sleep "$secs" >/dev/null 2>&1 || true
		fi
		wait "$BG_PID" || true
		BG_PID=""
		[ -f "$data" ] || continue
		perf report -i "$data" --stdio --no-children --sort symbol,dso -g none \
			>"$RUN_DIR/perf-$mode-self.txt" 2>/dev/null || true
		perf report -i "$data" --stdio --children --sort symbol -g none --percent-limit 0.05 \
			>"$RUN_DIR/perf-$mode-children.txt" 2>/dev/null || true
		echo "    $(tps_of "$out") tps; reports: bench/results/$STAMP/perf-$mode-{self,children}.txt"
		echo "    where the coordinator backend's CPU samples go (inclusive %, groups overlap):"
		for line in "${PROFILE_GROUPS[@]}"; do
			group=${line%%|*}
			syms=${line#*|}
			for sym in $syms; do
				pct=$(awk -v s="$sym" '$1 ~ /%$/ && $4 == s { print $1; exit }' "$RUN_DIR/perf-$mode-children.txt")
				[ -n "$pct" ] && printf '      %-62s %-34s %7s\n' "$group" "$sym" "$pct"
			done
		done | tee -a "$RUN_DIR/perf-summary.txt"
	done
}

# run_workloads SYSTEM PORT
run_workloads() {
	local system=$1 port=$2
	if wants select; then
		pgbench_workload select_prepared "$system" "$port" prepared -f "$SCRIPT_DIR/select.sql"
		pgbench_workload select_simple "$system" "$port" simple -f "$SCRIPT_DIR/select.sql"
	fi
	wants insert && pgbench_workload insert "$system" "$port" "$WRITE_MODE" -f "$SCRIPT_DIR/insert.sql"
	wants update && pgbench_workload update "$system" "$port" "$WRITE_MODE" -f "$SCRIPT_DIR/update.sql"
	wants tpcb && pgbench_workload tpcb "$system" "$port" "$WRITE_MODE" -b tpcb-like
	wants copy && copy_workload "$system" "$port"
	if wants analytics; then
		query_workload q_count "$system" "$port" "SELECT count(*) FROM events"
		query_workload q_groupby "$system" "$port" "SELECT cat, sum(amount), avg(amount) FROM events GROUP BY cat"
		query_workload q_topn "$system" "$port" "SELECT uid, count(*) FROM events GROUP BY uid ORDER BY count(*) DESC LIMIT 10"
		query_workload q_join "$system" "$port" "SELECT e.cat, count(*), sum(d.score) FROM events e JOIN details d ON d.id = e.id GROUP BY e.cat"
	fi
	if wants latency; then
		local r
		for ((r = 0; r < LATENCY_REPEAT; r++)); do
			if [ "$system" = plain ]; then
				latency_workload plain plain "$port" select.sql
			else
				latency_workload "shard-$SHARDS" shard "$port" select.sql
				latency_workload "shard-$SHARDS_MANY" shard "$port" select_many.sql
			fi
		done
	fi
	if [ "$system" = shard ] && [ "$PERF" = 1 ] && wants select; then
		perf_profile "$port"
	fi
	return 0
}

bench_plain() {
	start_server plain "$PLAIN_PORT" worker
	load_data plain "$PLAIN_PORT"
	run_workloads plain "$PLAIN_PORT"
	stop_server plain
}

bench_shard() {
	local i role port=${SHARD_PORTS[0]}
	for i in 0 1 2; do
		role=worker
		[ $i -eq 0 ] && role=coordinator
		start_server "${SHARD_NAMES[$i]}" "${SHARD_PORTS[$i]}" "$role"
	done
	psql_q "$port" <<SQL >/dev/null
CREATE EXTENSION shard;
SELECT shard.add_node('127.0.0.1', ${SHARD_PORTS[1]});
SELECT shard.add_node('127.0.0.1', ${SHARD_PORTS[2]});
SQL
	load_data shard "$port"
	run_workloads shard "$port"
	for i in 0 1 2; do
		stop_server "${SHARD_NAMES[$i]}"
	done
}

# fmt VALUE: a figure for the table
fmt() {
	case $1 in
	'' ) echo "-" ;;
	*[!0-9.]* ) echo "$1" ;;
	* ) awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else printf "%.1f", v }' ;;
	esac
}

# ratio KIND PLAIN SHARD: the speed ratio of shard to plain
ratio() {
	case "$2$3" in
	*[!0-9.]* | '' ) echo "-"; return ;;
	esac
	[ -n "$2" ] && [ -n "$3" ] || { echo "-"; return; }
	awk -v k="$1" -v p="$2" -v s="$3" 'BEGIN {
		if (p <= 0 || s <= 0) { print "-"; exit }
		printf "%.2fx", (k == "rate") ? s / p : p / s }'
}

print_report() {
	local key tp ts l m
	echo "shard benchmark $STAMP ($( [ "$QUICK" = 1 ] && echo quick || echo full ) run)"
	echo "host: $(nproc) cores, $(uname -r); load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "sizes: kv $KV_ROWS rows, tpcb scale $TPCB_SCALE, copy $COPY_ROWS rows, events $ANALYTICS_ROWS rows; $SHARDS shards"
	echo "pgbench: $CLIENTS clients, $THREADS threads, ${DURATION}s per run; b/c/d -M $WRITE_MODE"
	echo "servers: shared_buffers $SHARED_BUFFERS, max_connections 200, fsync on, synchronous_commit on; shard: coordinator + 2 workers on loopback"
	echo "analytics: median of $RUNS runs, client-side psql \\timing (round trip, planning included)"
	echo "ratio: shard speed / plain speed (for times: plain ms / shard ms); higher is better"
	echo
	printf '%-52s | %12s | %12s | %8s\n' workload plain shard ratio
	printf '%-52s-+-%12s-+-%12s-+-%8s\n' "$(printf '%.0s-' {1..52})" "------------" "------------" "--------"
	for key in "${ORDER[@]}"; do
		tp=${RES[$key,plain]:-}
		ts=${RES[$key,shard]:-}
		printf '%-52s | %12s | %12s | %8s\n' "${LABEL[$key]}" "$(fmt "$tp")" "$(fmt "$ts")" "$(ratio "${KIND[$key]}" "$tp" "$ts")"
	done
	if [ -n "${FAILED_XACTS[tpcb,plain]:-}${FAILED_XACTS[tpcb,shard]:-}" ]; then
		echo
		echo "d. TPC-B failed transactions: plain ${FAILED_XACTS[tpcb,plain]:-?}, shard ${FAILED_XACTS[tpcb,shard]:-?}"
	fi
	if wants latency; then
		echo
		echo "g. coordinator cost per routed statement: 1 client, point SELECT -M prepared, ${LATENCY_DURATION}s, fastest of $LATENCY_REPEAT"
		echo "   (after ${LATENCY_WARMUP}s warm-up; CPU = utime+stime of the backend serving pgbench / of the worker backends serving it, per statement)"
		printf '   %-20s | %12s | %16s | %16s\n' "" "latency us" "backend CPU us" "worker CPU us"
		for l in plain "shard-$SHARDS" "shard-$SHARDS_MANY"; do
			[ -n "${LAT[$l]:-}" ] || continue
			set -- ${LAT[$l]}
			printf '   %-20s | %12s | %16s | %16s\n' "$l" "$1" "$2" "$3"
		done
		if [ -n "${LAT[shard-$SHARDS]:-}" ] && [ -n "${LAT[shard-$SHARDS_MANY]:-}" ]; then
			set -- ${LAT[shard-$SHARDS]} ${LAT[shard-$SHARDS_MANY]}
			m=$(awk -v a="$1" -v b="$4" -v c="$2" -v d="$5" 'BEGIN {
				if (a + 0 > 0 && c + 0 > 0) printf "latency %.2fx, coordinator CPU %.2fx", b / a, d / c; else print "-" }')
			echo "   $SHARDS_MANY vs $SHARDS shards: $m (target: within 1.10x)"
		fi
	fi
}

main() {
	require_root
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

	wants select && { add_row select_prepared rate "a. point SELECT -M prepared (tps)"; add_row select_simple rate "a. point SELECT -M simple (tps)"; }
	wants insert && add_row insert rate "b. single-row INSERT -M $WRITE_MODE (tps)"
	wants update && add_row update rate "c. UPDATE by key -M $WRITE_MODE (tps)"
	wants tpcb && add_row tpcb rate "d. TPC-B-like scale $TPCB_SCALE -M $WRITE_MODE (tps)"
	wants copy && add_row copy rate "e. COPY $COPY_ROWS rows from CSV (rows/s)"
	if wants analytics; then
		add_row q_count time "f1. count(*) (ms)"
		add_row q_groupby time "f2. sum/avg GROUP BY 100-value column (ms)"
		add_row q_topn time "f3. GROUP BY uid ORDER BY count DESC LIMIT 10 (ms)"
		add_row q_join time "f4. co-located join + aggregate (ms)"
	fi

	ensure_packages
	if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
		build_install
	fi

	PG_RUN_CWD=/
	if [ -d "$BENCH_DIR" ]; then
		for d in plain "${SHARD_NAMES[@]}"; do
			[ -d "$BENCH_DIR/$d" ] && stop_node "$BENCH_DIR/$d" immediate
		done
		rm -rf "$BENCH_DIR"
	fi
	make_pg_dir "$BENCH_DIR"
	PG_RUN_CWD=$BENCH_DIR
	mkdir -p "$RUN_DIR"
	write_scripts

	has_system plain && bench_plain
	has_system shard && bench_shard

	print_report | tee "$RESULTS_DIR/$STAMP.txt"
	echo
	echo "written to bench/results/$STAMP.txt; raw output in bench/results/$STAMP/"
}

main "$@"
