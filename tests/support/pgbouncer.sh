#!/usr/bin/env bash
# A throwaway PgBouncer in transaction pooling mode in front of a test
# cluster, on a Unix socket only (port 6432, PgBouncer's default).
#   pgbouncer.sh start DIR SERVER_SOCKET_DIR   prints nothing on success
#   pgbouncer.sh stop DIR                      stop it and remove DIR
# As root it runs as the postgres account (PgBouncer refuses root).
set -euo pipefail

action=${1:?usage: pgbouncer.sh start|stop DIR [SERVER_SOCKET_DIR]}
dir=${2:?usage: pgbouncer.sh start|stop DIR [SERVER_SOCKET_DIR]}
program=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[[ -x $program ]] || { echo "pgbouncer.sh: pgbouncer not found (install 'pgbouncer')" >&2; exit 1; }

as_server() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $action in
  start)
    server=${3:?usage: pgbouncer.sh start DIR SERVER_SOCKET_DIR}
    rm -rf "$dir"
    mkdir -p "$dir"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$server user=postgres

[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    echo '"postgres" ""' >"$dir/users.txt"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$dir"; fi
    as_server "$program" -d "$dir/pgbouncer.ini" >/dev/null 2>&1 || { cat "$dir/pgbouncer.log" >&2 || true; exit 1; }
    for _ in $(seq 1 100); do
      [[ -S $dir/.s.PGSQL.6432 ]] && exit 0
      sleep 0.05
    done
    echo "pgbouncer.sh: PgBouncer did not open its socket in $dir" >&2
    cat "$dir/pgbouncer.log" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -f $dir/pgbouncer.pid ]]; then
      pid=$(cat "$dir/pgbouncer.pid")
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "pgbouncer.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
