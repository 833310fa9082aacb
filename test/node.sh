#!/bin/bash
# test/node.sh: stop, start or crash a server of the test cluster from a test:
#   \! $NODE_CTL stop worker_1        fast shutdown
#   \! $NODE_CTL kill worker_1        immediate shutdown (like a crash)
#   \! $NODE_CTL start worker_1       start and wait until it accepts connections
#   \! $NODE_CTL restart worker_2
# Nodes: coordinator, worker_1, worker_2, standby_1, standby_2.  Prints nothing on success, so test
# output stays stable; on failure prints an error and the log's tail.
# Environment comes from test/run.sh (through pg_regress and psql).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: node.sh stop|kill|start|restart coordinator|worker_1|worker_2|standby_1|standby_2" >&2; exit 2; }
case $2 in
	coordinator) data=$COORDINATOR_DATA ;;
	worker_1) data=$WORKER_1_DATA ;;
	worker_2) data=$WORKER_2_DATA ;;
	standby_1) data=$STANDBY_1_DATA ;;
	standby_2) data=$STANDBY_2_DATA ;;
	*) echo "node.sh: unknown node $2" >&2; exit 2 ;;
esac
logfile=$SHARD_TEST_DIR/$(basename "$data").log

start() {
	if ! "$PG_CTL" -D "$data" -l "$logfile" -w -t 60 start >/dev/null 2>&1; then
		echo "node.sh: $2 did not start" >&2
		tail -n 20 "$logfile" >&2
		exit 1
	fi
}

case $1 in
	stop) "$PG_CTL" -D "$data" -m fast -w -t 60 stop >/dev/null ;;
	kill) "$PG_CTL" -D "$data" -m immediate -w -t 60 stop >/dev/null ;;
	start) start "$@" ;;
	restart)
		"$PG_CTL" -D "$data" -m fast -w -t 60 stop >/dev/null
		start "$@" ;;
	*) echo "node.sh: unknown action $1" >&2; exit 2 ;;
esac
