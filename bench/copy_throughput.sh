#!/bin/bash
# bench/copy_throughput.sh: COPY FROM a file of N rows (default 2,000,000;
# four columns: int, text, float8, timestamptz) into a plain table and into
# a 32-shard distributed table on the same coordinator; prints both times
# and their ratio.  Runs against the cluster test/run.sh leaves behind
# (start it again first if run.sh stopped it), as the postgres user:
#   SHARD_PG_ROOT=... SHARD_TEST_DIR=... SHARD_TEST_PORT=... bench/copy_throughput.sh [rows]
# The machine may be shared: run it a few times and read the ratio, not the
# absolute times.  CPU seconds are summed over every server process of the
# cluster (coordinator and workers: backends, WAL writer, checkpointer...),
# read from /proc before and after each COPY; CPU per row is the steadier
# figure when other work shares the machine.
set -euo pipefail
rows=${1:-2000000}
port=${SHARD_TEST_PORT:-57636}
bindir=${SHARD_PG_ROOT:-}/usr/lib/postgresql/15/bin
datadir=${SHARD_TEST_DIR:-/tmp/shard-test}/coordinator
file=$datadir/copy_bench.txt
psql() { runuser -u postgres -- "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -v ON_ERROR_STOP=1 regression "$@"; }

psql <<SQL
SET client_min_messages TO warning;
DROP SCHEMA IF EXISTS copy_bench CASCADE;
CREATE SCHEMA copy_bench;
CREATE TABLE copy_bench.plain (id int, name text, score float8, at timestamptz);
CREATE TABLE copy_bench.dist (LIKE copy_bench.plain);
SELECT shard.create_distributed_table('copy_bench.dist', 'id', shard_count => 32);
COPY (SELECT g, 'name ' || g, g / 7.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
      FROM generate_series(1, $rows) g) TO '$file';
CHECKPOINT;
SQL

# cpu_ticks DATADIR: CPU clock ticks used so far by the postmaster of
# DATADIR, its live children and its exited (reaped) children
cpu_ticks() {
	local pm total=0 pid stat
	pm=$(head -1 "$1/postmaster.pid")
	for stat in /proc/[0-9]*/stat; do
		read -r -a f < "$stat" 2>/dev/null || continue
		# field 2 (comm) has no spaces for postgres processes
		if [ "${f[0]}" = "$pm" ]; then
			total=$((total + f[13] + f[14] + f[15] + f[16]))
		elif [ "${f[3]}" = "$pm" ]; then
			total=$((total + f[13] + f[14]))
		fi
	done
	echo "$total"
}
datadirs="$datadir $(dirname "$datadir")/worker1 $(dirname "$datadir")/worker2"
cluster_ticks() {
	local d total=0
	for d in $datadirs; do
		[ -f "$d/postmaster.pid" ] && total=$((total + $(cpu_ticks "$d")))
	done
	echo "$total"
}
hz=$(getconf CLK_TCK)

# timed SQL: sets elapsed (s) and cpu (s, whole cluster)
timed() {
	local start end t0 t1
	t0=$(cluster_ticks)
	start=$(date +%s.%N)
	psql -c "$1"
	end=$(date +%s.%N)
	sleep 0.3	# let the postmaster reap the backend
	t1=$(cluster_ticks)
	elapsed=$(echo "$end - $start" | bc)
	cpu=$(echo "($t1 - $t0) / $hz" | bc -l)
}
timed "COPY copy_bench.plain FROM '$file'"
plain=$elapsed plain_cpu=$cpu
psql -c "CHECKPOINT"
timed "COPY copy_bench.dist FROM '$file'"
dist=$elapsed dist_cpu=$cpu
psql -c "SELECT count(*) AS dist_rows FROM copy_bench.dist" -t
printf 'rows=%s plain=%.2fs distributed=%.2fs throughput ratio (plain time / distributed time)=%.2f\n' \
	"$rows" "$plain" "$dist" "$(echo "$plain / $dist" | bc -l)"
printf 'cpu: plain=%.2fs (%.2f us/row) distributed=%.2fs (%.2f us/row) cpu ratio (plain / distributed)=%.2f\n' \
	"$plain_cpu" "$(echo "$plain_cpu * 1000000 / $rows" | bc -l)" \
	"$dist_cpu" "$(echo "$dist_cpu * 1000000 / $rows" | bc -l)" \
	"$(echo "$plain_cpu / $dist_cpu" | bc -l)"
psql -c "DROP SCHEMA copy_bench CASCADE" 2>/dev/null
rm -f "$file"
