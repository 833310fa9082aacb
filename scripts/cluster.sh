#!/bin/bash
# scripts/cluster.sh: a local shard cluster (coordinator + two workers) with a
# demo table, for trying shard by hand.  Run as root on Debian 12.
#
#   scripts/cluster.sh start    install packages if missing, build and install
#                               shard, (re)start the cluster, run the demo
#   scripts/cluster.sh stop     stop the three servers
#   scripts/cluster.sh status   show whether they run
#   scripts/cluster.sh destroy  stop them and delete their data directories
#
# Layout (override the directory with SHARD_CLUSTER_DIR):
#   /var/lib/postgresql/shard-cluster/{coordinator,worker1,worker2}  data
#   /var/lib/postgresql/shard-cluster/*.log                          server logs
#   /var/lib/postgresql/shard-cluster/build.log                      compiler output
#   /var/lib/postgresql/shard-cluster                                unix sockets
#   ports 9700 (coordinator), 9701 and 9702 (workers), on 127.0.0.1 only
#   (SHARD_CLUSTER_PORT moves them: the coordinator's port, workers + 1, + 2)
#
# The build is quiet: its output goes to build.log, shown only on failure.
#
# start is idempotent: data directories are kept across runs (use destroy for
# a clean slate); running servers are restarted so they load the newly built
# shard.so; the demo table is dropped and created again.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_DIR=${SHARD_CLUSTER_DIR:-/var/lib/postgresql/shard-cluster}
NAMES=(coordinator worker1 worker2)
BASE_PORT=${SHARD_CLUSTER_PORT:-9700}
PORTS=($BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2)))
COORD_PORT=${PORTS[0]}
DB=postgres

usage() {
	echo "usage: $0 start|stop|status|destroy" >&2
	exit 2
}

stop_all() {
	local name
	for name in "${NAMES[@]}"; do
		[ -d "$CLUSTER_DIR/$name" ] && stop_node "$CLUSTER_DIR/$name"
	done
	return 0
}

cmd_start() {
	require_root
	ensure_packages
	make_pg_dir "$CLUSTER_DIR"
	build_install "$CLUSTER_DIR/build.log"

	PG_RUN_CWD=$CLUSTER_DIR
	local i name port datadir role
	for i in 0 1 2; do
		name=${NAMES[$i]} port=${PORTS[$i]} datadir=$CLUSTER_DIR/$name
		role=worker
		[ "$name" = coordinator ] && role=coordinator
		if [ ! -f "$datadir/PG_VERSION" ]; then
			rm -rf "$datadir"
			log "initdb $name (port $port)"
			init_node "$datadir" "$port" "$CLUSTER_DIR" "$role"
		fi
		# restart so that a newly installed shard.so is loaded
		stop_node "$datadir"
		if port_in_use "$port"; then
			die "port $port is used by another program; stop it first"
		fi
		log "starting $name on 127.0.0.1:$port"
		start_node "$datadir" "$CLUSTER_DIR/$name.log"
	done

	log "creating the extension and registering the workers"
	pg_psql "$COORD_PORT" "$DB" -q -v ON_ERROR_STOP=1 -o /dev/null \
		-v w1="${PORTS[1]}" -v w2="${PORTS[2]}" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shard;
SELECT shard.add_node('127.0.0.1', :w1)
 WHERE NOT EXISTS (SELECT 1 FROM shard.nodes WHERE host = '127.0.0.1' AND port = :w1);
SELECT shard.add_node('127.0.0.1', :w2)
 WHERE NOT EXISTS (SELECT 1 FROM shard.nodes WHERE host = '127.0.0.1' AND port = :w2);
SQL

	log "demo: recreating table demo"
	pg_psql "$COORD_PORT" "$DB" -q -v ON_ERROR_STOP=1 \
		-c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS demo'
	# shards of an earlier demo table that a drop left behind on the workers
	for port in "${PORTS[1]}" "${PORTS[2]}"; do
		pg_psql "$port" "$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname ~ '^demo_[0-9]+$'
	LOOP
		EXECUTE format('DROP TABLE public.%I', r.relname);
	END LOOP;
END $$;
SQL
	done

	pg_psql "$COORD_PORT" "$DB" -v ON_ERROR_STOP=1 -e <<'SQL'
CREATE TABLE demo (id bigint PRIMARY KEY, name text NOT NULL, amount numeric NOT NULL);
INSERT INTO demo SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 1000) g;
SELECT shard.create_distributed_table('demo', 'id');
SELECT * FROM demo WHERE id = 42;
UPDATE demo SET amount = 0 WHERE id = 42;
SELECT id, name, amount FROM demo ORDER BY amount DESC LIMIT 5;
ANALYZE demo;
SELECT shard.collect_sizes() AS nodes_measured;
SELECT table_name, shard_count, row_estimate, pg_size_pretty(size_bytes) AS size
  FROM shard.tables;
SELECT node_id, host, port, role, shard_count, pg_size_pretty(size_bytes) AS size
  FROM shard.nodes ORDER BY node_id;
SELECT shard_id, table_name, hash_min, hash_max, node_id, port, shard_name, row_estimate
  FROM shard.shards ORDER BY shard_id LIMIT 8;
SQL

	echo
	echo "The shard cluster is running (coordinator 127.0.0.1:$COORD_PORT, workers ${PORTS[1]} and ${PORTS[2]})."
	echo "Connect to the coordinator:  psql -h 127.0.0.1 -p $COORD_PORT -U postgres postgres"
	local envPrefix=""
	[ -n "${SHARD_CLUSTER_DIR:-}" ] && envPrefix+="SHARD_CLUSTER_DIR=$CLUSTER_DIR "
	[ -n "${SHARD_CLUSTER_PORT:-}" ] && envPrefix+="SHARD_CLUSTER_PORT=$BASE_PORT "
	[ -n "${SHARD_PG_ROOT:-}" ] && envPrefix+="SHARD_PG_ROOT=$SHARD_PG_ROOT "
	echo "Stop it:                     $envPrefix$SHARD_REPO/scripts/cluster.sh stop"
	echo "Logs:                        $CLUSTER_DIR/{coordinator,worker1,worker2}.log"
}

cmd_stop() {
	require_root
	PG_RUN_CWD=/
	[ -d "$CLUSTER_DIR" ] || { echo "no cluster in $CLUSTER_DIR"; return 0; }
	stop_all
	echo "stopped"
}

cmd_status() {
	require_root
	PG_RUN_CWD=/
	local i
	for i in 0 1 2; do
		if node_running "$CLUSTER_DIR/${NAMES[$i]}"; then
			echo "${NAMES[$i]}: running on 127.0.0.1:${PORTS[$i]}"
		else
			echo "${NAMES[$i]}: stopped"
		fi
	done
}

cmd_destroy() {
	require_root
	PG_RUN_CWD=/
	[ -d "$CLUSTER_DIR" ] && stop_all
	rm -rf "$CLUSTER_DIR"
	echo "removed $CLUSTER_DIR"
}

[ $# -eq 1 ] || usage
case $1 in
	start) cmd_start ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	destroy) cmd_destroy ;;
	*) usage ;;
esac
