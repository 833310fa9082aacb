# scripts/lib.sh: shared helpers of scripts/cluster.sh and test/run.sh.
#
# Sourced, never run.  Everything here runs as root: packages are installed and
# the extension is built and installed as root, while initdb, pg_ctl and psql
# run as the unprivileged Debian "postgres" user (PostgreSQL refuses to run as
# root), always from a directory that user can enter, so a checkout under
# /root works.

# runuser lives in /usr/sbin, which a minimal PATH may lack
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

PG_MAJOR=15
# SHARD_PG_ROOT: a relocated copy of the PostgreSQL installation (made by
# scripts/dev_pg_root.sh), so that several checkouts can build, install and
# test at once without replacing each other's shard.so; empty means the
# system installation.
PG_ROOT=${SHARD_PG_ROOT:-}
PG_BINDIR=$PG_ROOT/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BINDIR/pg_config
PG_CTL=$PG_BINDIR/pg_ctl
PG_PSQL=$PG_BINDIR/psql
PG_PGXS_TEST=$PG_ROOT/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test
PG_REGRESS=$PG_PGXS_TEST/regress/pg_regress
PG_ISOLATION_REGRESS=$PG_PGXS_TEST/isolation/pg_isolation_regress
PG_USER=postgres

# Debian packages needed to build shard and run its clusters and tests.
SHARD_PACKAGES=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
				postgresql-client-$PG_MAJOR libpq-dev build-essential)

# SHARD_REPO: the repository root, whatever the caller's cwd.
SHARD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Directory postgres-user commands run from (must be enterable by postgres).
PG_RUN_CWD=/tmp

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
	[ "$(id -u)" -eq 0 ] || die "run this as root (it installs packages and the extension; servers run as the '$PG_USER' user)"
}

# ensure_packages installs the Debian packages unless all are already there,
# so reruns skip apt-get entirely.
ensure_packages() {
	local missing=() p
	for p in "${SHARD_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ] && [ -x "$PG_REGRESS" ] && id "$PG_USER" >/dev/null 2>&1; then
		return 0
	fi
	log "installing packages: ${missing[*]:-${SHARD_PACKAGES[*]}}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${SHARD_PACKAGES[@]}" </dev/null
	id "$PG_USER" >/dev/null 2>&1 || die "the '$PG_USER' user was not created by the postgresql packages"
}

# build_install [LOGFILE] builds shard.so and installs it (and the SQL
# scripts) into the PostgreSQL 15 installation.  With LOGFILE, the compiler
# output goes there and is shown (its tail) only when the build fails.
build_install() {
	local logfile=${1:-}
	log "building and installing the shard extension${logfile:+ (log: $logfile)}"
	if [ -z "$logfile" ]; then
		make -C "$SHARD_REPO" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
		make -C "$SHARD_REPO" install PG_CONFIG="$PG_CONFIG"
		return
	fi
	if ! { make -C "$SHARD_REPO" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" &&
		   make -C "$SHARD_REPO" install PG_CONFIG="$PG_CONFIG"; } >"$logfile" 2>&1; then
		echo "the build failed; last lines of $logfile:" >&2
		tail -n 40 "$logfile" >&2
		exit 1
	fi
}

# as_pg runs a command as the postgres user, from a directory it can enter.
as_pg() {
	(cd "$PG_RUN_CWD" && runuser -u "$PG_USER" -- "$@")
}

# make_pg_dir creates (if needed) a directory owned by the postgres user.
make_pg_dir() {
	mkdir -p "$1"
	chown "$PG_USER:" "$1"
	chmod 0755 "$1"
}

# port_in_use tells whether something listens on 127.0.0.1:PORT.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# node_running tells whether the server of a data directory is running.
node_running() {
	[ -f "$1/postmaster.pid" ] && as_pg "$PG_CTL" -D "$1" status >/dev/null 2>&1
}

# init_node DATADIR PORT SOCKETDIR ROLE [EXTRA_CONF_LINE...]: initdb a fresh
# data directory (postgres-owned parent required) for a loopback-only server.
# ROLE is "coordinator" (preloads shard) or "worker".  Trust authentication is
# for local dev and test clusters only.
init_node() {
	local datadir=$1 port=$2 sockdir=$3 role=$4
	shift 4
	as_pg "$PG_BINDIR/initdb" -D "$datadir" -U "$PG_USER" -A trust \
		--locale=C -E UTF8 ${INITDB_NOSYNC:+--no-sync} >/dev/null
	{
		echo "# local dev/test cluster of shard: trust on loopback only"
		echo "local all all trust"
		echo "host  all all 127.0.0.1/32 trust"
		echo "host  replication all 127.0.0.1/32 trust"
	} | as_pg tee "$datadir/pg_hba.conf" >/dev/null
	{
		echo ""
		echo "# added by shard scripts"
		echo "port = $port"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$sockdir'"
		echo "max_prepared_transactions = 100"
		echo "max_connections = 200"
		echo "lc_messages = 'C'"
		echo "log_line_prefix = '%m [%p] %q%a '"
		if [ "$role" = coordinator ]; then
			echo "shared_preload_libraries = 'shard'"
		fi
		local line
		for line in "$@"; do echo "$line"; done
	} | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
}

# make_standby PRIMARY_DATADIR PRIMARY_PORT DATADIR PORT: a streaming hot
# standby of the running server in PRIMARY_DATADIR, copied with
# pg_basebackup -R -X stream as the postgres user, on its own port (not
# started).  The primary's settings come along; wal_level = replica,
# max_wal_senders and hot_standby are PostgreSQL's defaults.
make_standby() {
	local primary=$1 primaryPort=$2 datadir=$3 port=$4
	as_pg "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$primaryPort" -U "$PG_USER" \
		-D "$datadir" -R -X stream --no-sync -c fast >/dev/null
	{
		echo ""
		echo "# standby of $primary"
		echo "port = $port"
		echo "hot_standby = on"
	} | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
}

# start_node DATADIR LOGFILE: start a server and wait until it accepts
# connections; on failure show the log's tail.
start_node() {
	local datadir=$1 logfile=$2
	if ! as_pg "$PG_CTL" -D "$datadir" -l "$logfile" -w -t 60 start >/dev/null; then
		echo "server in $datadir failed to start; last lines of $logfile:" >&2
		tail -n 30 "$logfile" >&2 || true
		return 1
	fi
}

# stop_node DATADIR [MODE]: stop a server if it is running (default fast).
stop_node() {
	local datadir=$1 mode=${2:-fast}
	if node_running "$datadir"; then
		as_pg "$PG_CTL" -D "$datadir" -m "$mode" -w -t 60 stop >/dev/null 2>&1 ||
			as_pg "$PG_CTL" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 || true
	fi
}

# pg_psql PORT DB [psql args...]: psql as postgres to a loopback server.
pg_psql() {
	local port=$1 db=$2
	shift 2
	as_pg "$PG_PSQL" -X -h 127.0.0.1 -p "$port" -U "$PG_USER" -d "$db" "$@"
}
