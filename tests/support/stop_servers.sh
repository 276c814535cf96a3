#!/usr/bin/env bash
# Stops every server the fleet tests started under DIR (clusters, standbys,
# PgBouncers), whatever state the tests left them in: the CTest fixture
# cleanup of those tests, so that none outlives a failed run.
set -uo pipefail
dir=${1:?usage: stop_servers.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
[[ -d $dir ]] || exit 0
for sub in "$dir"/*/; do
  sub=${sub%/}
  [[ -f $sub/pgbouncer.ini ]] && "$here/pgbouncer.sh" stop "$sub"
  [[ -d $sub/data ]] && "$here/pg_cluster.sh" stop "$sub"
done
rm -rf "$dir"
exit 0
