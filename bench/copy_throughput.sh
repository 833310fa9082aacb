#!/bin/bash
# bench/copy_throughput.sh: COPY FROM a file of N rows (default 2,000,000;
# four columns: int, text, float8, timestamptz) into a plain table and into
# a 32-shard distributed table on the same coordinator; prints both times
# and their ratio.  Runs against the cluster test/run.sh leaves behind
# (start it again first if run.sh stopped it), as the postgres user:
#   SHARD_PG_ROOT=... SHARD_TEST_DIR=... SHARD_TEST_PORT=... bench/copy_throughput.sh [rows]
# The machine may be shared: run it a few times and read the ratio, not the
# absolute times.
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

timed() {
	local start end
	start=$(date +%s.%N)
	psql -c "$1"
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}
plain=$(timed "COPY copy_bench.plain FROM '$file'")
psql -c "CHECKPOINT"
dist=$(timed "COPY copy_bench.dist FROM '$file'")
psql -c "SELECT count(*) AS dist_rows FROM copy_bench.dist" -t
printf 'rows=%s plain=%.2fs distributed=%.2fs throughput ratio (plain time / distributed time)=%.2f\n' \
	"$rows" "$plain" "$dist" "$(echo "$plain / $dist" | bc -l)"
psql -c "DROP SCHEMA copy_bench CASCADE" 2>/dev/null
rm -f "$file"
