#!/bin/bash
# test/run.sh: build shard, start a fresh coordinator + two workers and run
# the regression, isolation and failure suites against them.  Run as root on
# Debian 12.
#
#   test/run.sh                 every test in test/schedule, then
#                               test/isolation/schedule and test/failure/schedule
#   test/run.sh NAME...         only these tests (sql/NAME.sql,
#                               test/isolation/specs/NAME.spec or
#                               test/failure/sql/NAME.sql), after setup
#
# The cluster lives in $SHARD_TEST_DIR (default /tmp/shard-test, owned by
# postgres, deleted and made again by each run and left behind for
# inspection): data directories coordinator/ worker1/ worker2/, server logs
# *.log, unix sockets, a copy of sql/ expected/ test/ in src/ (so a checkout
# that postgres cannot read works) and the suites' output in regress/,
# isolation/ and failure/; results are also copied to test/results/.
# Each worker has a streaming standby (pg_basebackup -R -X stream of the
# worker, made once the worker has its database): standby1/ of worker1 and
# standby2/ of worker2, in hot standby, not registered as nodes (tests add
# them with shard.add_node(..., role => 'secondary')).
# Ports: coordinator 57636, workers 57637 and 57638, standbys 57639 and
# 57640, on 127.0.0.1 only
# ($SHARD_TEST_PORT moves them, e.g. 58636; output is rewritten back to the
# default ports so expected files stay the same).  With $SHARD_PG_ROOT (see
# scripts/lib.sh) and its own $SHARD_TEST_DIR, a second checkout can run the
# suite while another one does.
#
# Tests see psql variables :coordinator_port, :worker_1_port, :worker_2_port,
# :standby_1_port, :standby_2_port, :coordinator_data, :worker_1_data,
# :worker_2_data, and environment variables PG_CTL, PG_BINDIR, NODE_CTL
# (test/node.sh), COORDINATOR_PORT, WORKER_1_PORT, WORKER_2_PORT,
# STANDBY_1_PORT, STANDBY_2_PORT, COORDINATOR_DATA, WORKER_1_DATA,
# WORKER_2_DATA, STANDBY_1_DATA, STANDBY_2_DATA and
# SHARD_TEST_DIR, e.g.  \! $NODE_CTL stop worker_1  or
# \! $PG_CTL -D $WORKER_1_DATA -m immediate stop > /dev/null
# Every psql output goes through test/normalize.sed.
#
# The last line printed is always "N passed, M failed"; a test that could not
# run (build failure, server failure, unknown name) counts as failed.  Exit
# status is 0 only when nothing failed.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

TEST_DIR=${SHARD_TEST_DIR:-/tmp/shard-test}
TEST_TIMEOUT=${SHARD_TEST_TIMEOUT:-1800}	# seconds per suite
DB=regression
NAMES=(coordinator worker1 worker2 standby1 standby2)
BASE_PORT=${SHARD_TEST_PORT:-57636}
PORTS=($BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 3)) $((BASE_PORT + 4)))
SRC=$TEST_DIR/src
DIFF_LIMIT=60000	# bytes of regression.diffs printed per suite

# tests to run per suite, and whether each suite finished running
MAIN_TESTS=()
ISO_TESTS=()
FAIL_TESTS=()
UNKNOWN_TESTS=()
SERVERS_STARTED=0
STAGE="starting"

# schedule_tests FILE: the test names of a pg_regress schedule, one a line.
schedule_tests() {
	[ -f "$1" ] || return 0
	sed -n 's/^test:[[:space:]]*//p' "$1" | tr -s ' \t' '\n\n' | sed '/^$/d'
}

# choose_tests ARGS...: fill the per-suite lists from the command line or the
# schedules.  setup always runs first: every other test relies on it.
choose_tests() {
	local name
	if [ $# -eq 0 ]; then
		mapfile -t MAIN_TESTS < <(schedule_tests "$SHARD_REPO/test/schedule")
		mapfile -t ISO_TESTS < <(schedule_tests "$SHARD_REPO/test/isolation/schedule")
		mapfile -t FAIL_TESTS < <(schedule_tests "$SHARD_REPO/test/failure/schedule")
		return
	fi
	MAIN_TESTS=(setup)
	for name in "$@"; do
		name=$(basename "$name")
		name=${name%.sql}
		name=${name%.spec}
		name=${name%.out}
		if [ "$name" = setup ]; then
			continue
		elif [ -f "$SHARD_REPO/sql/$name.sql" ]; then
			MAIN_TESTS+=("$name")
		elif [ -f "$SHARD_REPO/test/isolation/specs/$name.spec" ]; then
			ISO_TESTS+=("$name")
		elif [ -f "$SHARD_REPO/test/failure/sql/$name.sql" ]; then
			FAIL_TESTS+=("$name")
		else
			UNKNOWN_TESTS+=("$name")
		fi
	done
}

# count_suite OUTFILE NAME...: add to PASSED/FAILED from pg_regress output;
# a test without an "ok" line (never ran, or failed) counts as failed.
PASSED=0
FAILED=0
count_suite() {
	local out=$1 name
	shift
	for name in "$@"; do
		if [ -f "$out" ] && grep -Eq "^ *(test )?$name +\.\.\. ok( |$)" "$out"; then
			PASSED=$((PASSED + 1))
		else
			FAILED=$((FAILED + 1))
		fi
	done
}

# add_missing_expected INDIR EXPDIR EXT: pg_regress abandons the whole run
# when a test has no expected file; an empty one (in the copy) makes just that
# test fail, with its whole output as the diff, ready to review and copy.
add_missing_expected() {
	local f name
	mkdir -p "$2"
	for f in "$1"/*."$3"; do
		[ -f "$f" ] || continue
		name=$(basename "$f" ".$3")
		if [ ! -f "$2/$name.out" ] && ! compgen -G "$2/${name}_[0-9].out" >/dev/null; then
			echo "note: no expected output for $name; comparing with an empty file"
			: >"$2/$name.out"
		fi
	done
}

stop_servers() {
	local name
	PG_RUN_CWD=/
	for name in standby1 standby2 "${NAMES[@]:0:3}"; do
		[ -d "$TEST_DIR/$name" ] && stop_node "$TEST_DIR/$name" immediate
	done
	return 0
}

# finish runs on every exit: stop the servers, show what failed, and print
# the summary line last.
finish() {
	local rc=$? suite out name
	set +e
	trap - EXIT
	stop_servers

	count_suite "$TEST_DIR/regress/output.txt" "${MAIN_TESTS[@]}"
	count_suite "$TEST_DIR/isolation/output.txt" "${ISO_TESTS[@]}"
	count_suite "$TEST_DIR/failure/output.txt" "${FAIL_TESTS[@]}"
	FAILED=$((FAILED + ${#UNKNOWN_TESTS[@]}))
	if [ ${#UNKNOWN_TESTS[@]} -gt 0 ]; then
		echo "unknown tests (no sql/NAME.sql, test/isolation/specs/NAME.spec or test/failure/sql/NAME.sql): ${UNKNOWN_TESTS[*]}"
	fi

	if [ "$FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for suite in regress isolation failure; do
			out=$TEST_DIR/$suite/regression.diffs
			[ -s "$out" ] || continue
			echo
			echo "======== $suite: regression.diffs (first $DIFF_LIMIT bytes of $(wc -c <"$out")) ========"
			head -c "$DIFF_LIMIT" "$out"
			echo
		done
		if [ "$SERVERS_STARTED" -eq 1 ]; then
			for name in "${NAMES[@]}"; do
				[ -f "$TEST_DIR/$name.log" ] || continue
				echo
				echo "======== last lines of $TEST_DIR/$name.log ========"
				tail -n 40 "$TEST_DIR/$name.log"
			done
		fi
		echo
		echo "outputs: $TEST_DIR/{regress,isolation,failure}/ and $SHARD_REPO/test/results/"
		[ "$rc" -ne 0 ] && echo "test/run.sh failed while $STAGE (exit status $rc)"
	fi
	echo
	echo "$PASSED passed, $FAILED failed"
	if [ "$FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		exit 1
	fi
	exit 0
}

# run_suite KIND OUTNAME INPUTDIR TESTS...: run pg_regress (KIND=regress) or
# pg_isolation_regress (KIND=isolation) as postgres against the coordinator;
# its output goes to stdout and OUTNAME/output.txt.
run_suite() {
	local kind=$1 outname=$2 inputdir=$3
	shift 3
	local outdir=$TEST_DIR/$outname driver=$PG_REGRESS
	[ "$kind" = isolation ] && driver=$PG_ISOLATION_REGRESS
	make_pg_dir "$outdir"
	log "running $outname tests: $*"
	set +e
	as_pg env \
		PG_CTL="$PG_CTL" PG_BINDIR="$PG_BINDIR" NODE_CTL="$SRC/test/node.sh" \
		SHARD_TEST_DIR="$TEST_DIR" NORMALIZE_SED="$SRC/test/normalize.sed" \
		COORDINATOR_PORT="${PORTS[0]}" WORKER_1_PORT="${PORTS[1]}" WORKER_2_PORT="${PORTS[2]}" \
		STANDBY_1_PORT="${PORTS[3]}" STANDBY_2_PORT="${PORTS[4]}" \
		COORDINATOR_DATA="$TEST_DIR/coordinator" WORKER_1_DATA="$TEST_DIR/worker1" \
		WORKER_2_DATA="$TEST_DIR/worker2" STANDBY_1_DATA="$TEST_DIR/standby1" \
		STANDBY_2_DATA="$TEST_DIR/standby2" \
		timeout -k 30 "$TEST_TIMEOUT" "$driver" \
		--use-existing --host=127.0.0.1 --port="${PORTS[0]}" --user="$PG_USER" \
		--dbname="$DB" --bindir="$PG_BINDIR" \
		--launcher="$SRC/test/launcher.sh" \
		--inputdir="$inputdir" --outputdir="$outdir" "$@" 2>&1 |
		tee "$outdir/output.txt"
	local rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" -eq 124 ] && echo "$outname tests timed out after $TEST_TIMEOUT s"
	mkdir -p "$SHARD_REPO/test/results/$outname"
	cp -r "$outdir/." "$SHARD_REPO/test/results/$outname/" 2>/dev/null || true
	return 0
}

# reserve_ports PORT...: keep the kernel from handing the cluster's ports to
# outgoing connections as their local port (they lie in Linux's default
# ephemeral range, 32768-60999), which made servers fail to start with
# "Address already in use".  Best effort: a container may not allow it.
reserve_ports() {
	local file=/proc/sys/net/ipv4/ip_local_reserved_ports current port
	[ -w "$file" ] || return 0
	current=$(cat "$file")
	for port in "$@"; do
		current=${current:+$current,}$port
	done
	echo "$current" >"$file" 2>/dev/null || true
}

main() {
	require_root
	choose_tests "$@"
	trap finish EXIT

	# start over: stop servers an interrupted run left, forget old results
	STAGE="cleaning up $TEST_DIR"
	PG_RUN_CWD=/
	if [ -d "$TEST_DIR" ]; then
		stop_servers
		rm -rf "$TEST_DIR"
	fi
	rm -rf "$SHARD_REPO/test/results"

	STAGE="installing packages"
	ensure_packages
	STAGE="building and installing shard"
	build_install

	STAGE="starting the cluster"
	make_pg_dir "$TEST_DIR"
	PG_RUN_CWD=$TEST_DIR

	mkdir -p "$SRC"
	cp -r "$SHARD_REPO/sql" "$SHARD_REPO/expected" "$SHARD_REPO/test" "$SRC/"
	rm -rf "$SRC/test/results"
	add_missing_expected "$SRC/sql" "$SRC/expected" sql
	add_missing_expected "$SRC/test/isolation/specs" "$SRC/test/isolation/expected" spec
	add_missing_expected "$SRC/test/failure/sql" "$SRC/test/failure/expected" sql
	chown -R "$PG_USER:" "$SRC"

	local i name port role
	reserve_ports "${PORTS[@]}"
	for i in 0 1 2 3 4; do
		port=${PORTS[$i]}
		port_in_use "$port" && die "port $port is already in use; stop whatever listens there"
	done
	INITDB_NOSYNC=1
	for i in 0 1 2; do
		name=${NAMES[$i]} port=${PORTS[$i]} role=worker
		[ "$name" = coordinator ] && role=coordinator
		log "initdb $name (port $port)"
		init_node "$TEST_DIR/$name" "$port" "$TEST_DIR" "$role" \
			"fsync = off" "full_page_writes = off" "synchronous_commit = off" \
			"shared_buffers = 32MB"
	done
	SERVERS_STARTED=1
	for i in 0 1 2; do
		start_node "$TEST_DIR/${NAMES[$i]}" "$TEST_DIR/${NAMES[$i]}.log"
	done

	# the coordinator reaches nodes in the database of its own name; the
	# settings are those pg_regress gives a database it creates
	for port in "${PORTS[@]:0:3}"; do
		pg_psql "$port" postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE DATABASE $DB TEMPLATE template0;
ALTER DATABASE $DB SET lc_messages TO 'C';
ALTER DATABASE $DB SET lc_monetary TO 'C';
ALTER DATABASE $DB SET lc_numeric TO 'C';
ALTER DATABASE $DB SET lc_time TO 'C';
ALTER DATABASE $DB SET bytea_output TO 'hex';
ALTER DATABASE $DB SET timezone_abbreviations TO 'Default';
ALTER DATABASE $DB SET timezone TO 'PST8PDT';
ALTER DATABASE $DB SET datestyle TO 'Postgres, MDY';
SQL
	done

	STAGE="starting the standbys"
	for i in 1 2; do
		log "pg_basebackup worker$i -> standby$i (port ${PORTS[$((i + 2))]})"
		make_standby "$TEST_DIR/worker$i" "${PORTS[$i]}" "$TEST_DIR/standby$i" \
			"${PORTS[$((i + 2))]}"
	done
	for i in 1 2; do
		start_node "$TEST_DIR/standby$i" "$TEST_DIR/standby$i.log"
	done

	STAGE="running the tests"
	if [ $# -eq 0 ]; then
		run_suite regress regress "$SRC" --schedule="$SRC/test/schedule"
	else
		run_suite regress regress "$SRC" "${MAIN_TESTS[@]}"
	fi
	if [ ${#ISO_TESTS[@]} -gt 0 ]; then
		if [ $# -eq 0 ]; then
			run_suite isolation isolation "$SRC/test/isolation" --schedule="$SRC/test/isolation/schedule"
		else
			run_suite isolation isolation "$SRC/test/isolation" "${ISO_TESTS[@]}"
		fi
	fi
	# last: these stop and restart nodes
	if [ ${#FAIL_TESTS[@]} -gt 0 ]; then
		if [ $# -eq 0 ]; then
			run_suite regress failure "$SRC/test/failure" --schedule="$SRC/test/failure/schedule"
		else
			run_suite regress failure "$SRC/test/failure" "${FAIL_TESTS[@]}"
		fi
	fi
}

main "$@"
