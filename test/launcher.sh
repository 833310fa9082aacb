#!/bin/bash
# test/launcher.sh: the --launcher of pg_regress and pg_isolation_regress,
# which run "LAUNCHER psql -X -a -q -d DB ... < test.sql > test.out 2>&1" (or
# "LAUNCHER isolationtester dbname=DB < spec > out 2>&1").  It gives psql the
# cluster's ports and data directories as variables and sends all output
# through test/normalize.sed.  Environment comes from test/run.sh.
set -uo pipefail

extra=()
if [ "$(basename "$1")" = psql ]; then
	extra=(-v "coordinator_port=$COORDINATOR_PORT"
		   -v "worker_1_port=$WORKER_1_PORT"
		   -v "worker_2_port=$WORKER_2_PORT"
		   -v "standby_1_port=$STANDBY_1_PORT"
		   -v "standby_2_port=$STANDBY_2_PORT"
		   -v "coordinator_data=$COORDINATOR_DATA"
		   -v "worker_1_data=$WORKER_1_DATA"
		   -v "worker_2_data=$WORKER_2_DATA")
fi
# a cluster on other ports (SHARD_TEST_PORT) prints the default ones
ports=()
if [ "$COORDINATOR_PORT" != 57636 ]; then
	ports=(-e "s/\\b$COORDINATOR_PORT\\b/57636/g"
		   -e "s/\\b$WORKER_1_PORT\\b/57637/g"
		   -e "s/\\b$WORKER_2_PORT\\b/57638/g"
		   -e "s/\\b$STANDBY_1_PORT\\b/57639/g"
		   -e "s/\\b$STANDBY_2_PORT\\b/57640/g")
fi
"$@" "${extra[@]}" 2>&1 | sed -f "$NORMALIZE_SED" "${ports[@]}"
