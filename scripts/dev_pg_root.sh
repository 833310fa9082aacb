#!/bin/bash
# scripts/dev_pg_root.sh DIR: copy the system PostgreSQL 15 installation
# (binaries, libraries, share and server headers) under DIR, for
# SHARD_PG_ROOT=DIR (see scripts/lib.sh).  PostgreSQL finds its share and
# library directories relative to its binaries, so the copy is a complete
# installation of its own: "make install PG_CONFIG=DIR/usr/lib/postgresql/15/bin/pg_config"
# and the servers started from it use DIR only.  For development with several
# checkouts at once; CI and the README commands use the system installation.
set -euo pipefail
unset SHARD_PG_ROOT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
require_root
ensure_packages
root=$1
rm -rf "$root"
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql" "$root/usr/include"
cp -a "/usr/lib/postgresql/$PG_MAJOR" "$root/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$PG_MAJOR" "$root/usr/share/postgresql/"
cp -a /usr/include/postgresql "$root/usr/include/"
log "PostgreSQL $PG_MAJOR copied to $root; use SHARD_PG_ROOT=$root"
