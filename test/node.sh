#!/bin/bash
# test/node.sh: stop, start or crash a server of the test cluster from a test:
#   \! $NODE_CTL stop worker_1        fast shutdown
#   \! $NODE_CTL kill worker_1        immediate shutdown (like a crash)
#   \! $NODE_CTL start worker_1       start and wait until it accepts connections
#   \! $NODE_CTL restart worker_2
#   \! $NODE_CTL freeze worker_1      SIGSTOP its postmaster and every child: a
#                                     hung server whose host still answers TCP
#   \! $NODE_CTL thaw worker_1        SIGCONT them again
# A frozen node thaws by itself after $FREEZE_LIMIT seconds (default 300), so
# that a test that dies before it thaws leaves no node stopped for good.
# Nodes: coordinator, worker_1, worker_2, standby_1, standby_2.  Prints nothing on success, so test
# output stays stable; on failure prints an error and the log's tail.
# Environment comes from test/run.sh (through pg_regress and psql).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: node.sh stop|kill|start|restart|freeze|thaw coordinator|worker_1|worker_2|standby_1|standby_2" >&2; exit 2; }
case $2 in
	coordinator) data=$COORDINATOR_DATA ;;
	worker_1) data=$WORKER_1_DATA ;;
	worker_2) data=$WORKER_2_DATA ;;
	standby_1) data=$STANDBY_1_DATA ;;
	standby_2) data=$STANDBY_2_DATA ;;
	*) echo "node.sh: unknown node $2" >&2; exit 2 ;;
esac
logfile=$SHARD_TEST_DIR/$(basename "$data").log
watchdog=$SHARD_TEST_DIR/$(basename "$data").thaw

# signal_node SIGNAL: the node's postmaster and its children, nothing else
signal_node() {
	local pid
	pid=$(head -n 1 "$data/postmaster.pid")
	[ -n "$pid" ] || { echo "node.sh: no postmaster.pid in $data" >&2; exit 1; }
	if [ "$1" = STOP ]; then
		kill -STOP "$pid"
		pkill -STOP -P "$pid" || true
	else
		pkill -CONT -P "$pid" || true
		kill -CONT "$pid"
	fi
}

freeze() {
	signal_node STOP
	# safety net, not a wait: thaw later even if the test never does
	( sleep "${FREEZE_LIMIT:-300}" && "$0" thaw "$2" ) >/dev/null 2>&1 &
	echo $! >"$watchdog"
}

thaw() {
	if [ -f "$watchdog" ]; then
		kill "$(cat "$watchdog")" 2>/dev/null || true
		rm -f "$watchdog"
	fi
	signal_node CONT
}

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
	freeze) freeze "$@" ;;
	thaw) thaw "$@" ;;
	*) echo "node.sh: unknown action $1" >&2; exit 2 ;;
esac
