#!/bin/bash
# bench/fk_insert.sh: the cost of a coordinator-enforced foreign key.  A
# single-row INSERT (pgbench, -M prepared, one client) into a distributed
# table whose foreign key references a distributed table it is not
# co-located with (the coordinator locks the referenced row FOR KEY SHARE
# on its shard, in a remote transaction) against the same INSERT into the
# same table without the key; prints both rates and their ratio (with /
# without) for BENCH_PAIRS (5) alternating pairs of runs, and the median.
# Without the key the INSERT is one autocommit round trip to one node;
# with it: the INSERT in a remote transaction, the check on the parent's
# node, and a COMMIT on each.  Runs against the cluster test/run.sh leaves
# behind (start it again first if run.sh stopped it), as the postgres user:
#   SHARD_PG_ROOT=... SHARD_TEST_DIR=... SHARD_TEST_PORT=... bench/fk_insert.sh [seconds]
# The machine may be shared: read the median ratio.
set -euo pipefail
seconds=${1:-5}
port=${SHARD_TEST_PORT:-57636}
bindir=${SHARD_PG_ROOT:-}/usr/lib/postgresql/15/bin
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
psql() { runuser -u postgres -- "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -v ON_ERROR_STOP=1 regression "$@"; }

psql <<SQL
SET client_min_messages TO warning;
DROP SCHEMA IF EXISTS fk_bench CASCADE;
CREATE SCHEMA fk_bench;
CREATE TABLE fk_bench.parent (id bigint PRIMARY KEY);
INSERT INTO fk_bench.parent SELECT g FROM generate_series(1, 1000) g;
SELECT shard.create_distributed_table('fk_bench.parent', 'id', shard_count => 32);
CREATE TABLE fk_bench.with_fk (id bigint, parent_id bigint REFERENCES fk_bench.parent (id));
CREATE TABLE fk_bench.without_fk (id bigint, parent_id bigint);
SELECT shard.create_distributed_table('fk_bench.with_fk', 'id', shard_count => 16, colocate_with => 'none');
SELECT shard.create_distributed_table('fk_bench.without_fk', 'id', colocate_with => 'fk_bench.with_fk');
SQL

rate() {
	printf '\\set id random(1, 1000000000)\n\\set p random(1, 1000)\nINSERT INTO fk_bench.%s VALUES (:id, :p);\n' "$1" > "$work/$1.sql"
	runuser -u postgres -- "$bindir/pgbench" -n -M prepared -c 1 -T "$seconds" -h 127.0.0.1 -p "$port" \
		-f "$work/$1.sql" regression 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
# pairs of runs, alternating, so that load from elsewhere hits both alike
pairs=${BENCH_PAIRS:-5}
ratios=()
for ((i = 1; i <= pairs; i++)); do
	without=$(rate without_fk)
	with=$(rate with_fk)
	ratio=$(echo "scale=3; $with / $without" | bc)
	ratios+=("$ratio")
	echo "pair $i: without foreign key $without/s, with a non-co-located foreign key $with/s, ratio $ratio"
done
echo "median ratio (with / without): $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(((pairs + 1) / 2))p")"
psql -c 'DROP SCHEMA fk_bench CASCADE' >/dev/null
