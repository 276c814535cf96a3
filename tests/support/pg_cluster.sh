#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a Unix socket only.
#   pg_cluster.sh start DIR   initdb (trust auth) + start; prints nothing on success
#   pg_cluster.sh stop DIR    stop (fast) and remove DIR
#   pg_cluster.sh url DIR DB  the URL of database DB, creating it if needed
#   pg_cluster.sh crash DIR   stop immediately (no shutdown checkpoint), keep DIR
#   pg_cluster.sh restart DIR start DIR's cluster again (after crash: recovery)
#   pg_cluster.sh socket DIR  the directory of DIR's Unix socket
#   pg_cluster.sh standby DIR PRIMARY_DIR
#                             a streaming standby of PRIMARY_DIR's cluster
#                             (pg_basebackup -R), started in DIR
#   pg_cluster.sh promote DIR promote DIR's standby to a primary
#   pg_cluster.sh halt DIR    stop (fast: standbys get all WAL first), keep DIR
# As root the server runs as the postgres account (PostgreSQL refuses root).
set -euo pipefail

action=${1:?usage: pg_cluster.sh start|stop|url|crash|restart|socket|standby|promote|halt DIR [DB]}
dir=${2:?usage: pg_cluster.sh start|stop|url|crash|restart|socket|standby|promote|halt DIR [DB]}

bindir=${MIGRATION_TOOLS_PG_BINDIR:-}
if [[ -z $bindir ]]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[[ -x $bindir/pg_ctl ]] || { echo "pg_cluster.sh: PostgreSQL server binaries not found (install 'postgresql')" >&2; exit 1; }

as_server() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Socket paths are limited to 107 bytes: keep the socket in a short directory.
socket_dir() {
  local hash
  hash=$(printf '%s' "$dir" | sha256sum | cut -c1-16)
  echo "/tmp/mt-test-$hash"
}

start_server() {
  as_server "$bindir/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" \
    -o "-c listen_addresses='' -k $1 -c fsync=off -c max_connections=100" >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
}

case $action in
  start)
    sock=$(socket_dir)
    if [[ -f $dir/data/postmaster.pid ]] && as_server "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
      exit 0
    fi
    rm -rf "$dir" "$sock"
    mkdir -p "$dir" "$sock"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir" "$sock"; fi
    as_server "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    start_server "$sock"
    ;;
  stop)
    sock=$(socket_dir)
    if [[ -d $dir/data ]]; then
      as_server "$bindir/pg_ctl" stop -w -m immediate -D "$dir/data" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir" "$sock"
    ;;
  socket)
    socket_dir
    ;;
  standby)
    primary=${3:?usage: pg_cluster.sh standby DIR PRIMARY_DIR}
    primary_sock=$(dir=$primary; socket_dir)
    sock=$(socket_dir)
    rm -rf "$dir" "$sock"
    mkdir -p "$dir" "$sock"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir" "$sock"; fi
    as_server "$bindir/pg_basebackup" -h "$primary_sock" -U postgres -D "$dir/data" -R -X stream \
      --no-sync --checkpoint=fast >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    start_server "$sock"
    ;;
  promote)
    as_server "$bindir/pg_ctl" promote -w -D "$dir/data" >/dev/null
    ;;
  halt)
    as_server "$bindir/pg_ctl" stop -w -m fast -D "$dir/data" >/dev/null
    ;;
  crash)
    as_server "$bindir/pg_ctl" stop -w -m immediate -D "$dir/data" >/dev/null
    ;;
  restart)
    sock=$(socket_dir)
    start_server "$sock"
    ;;
  url)
    db=${3:?usage: pg_cluster.sh url DIR DB}
    sock=$(socket_dir)
    if ! psql -h "$sock" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      psql -h "$sock" -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
    fi
    echo "postgresql:///$db?host=$sock&user=postgres"
    ;;
  *)
    echo "pg_cluster.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
