#!/usr/bin/env bash
# The lock guard under traffic (issue 35): pgbench updates and reads a table,
# a session keeps a transaction open on it for a few seconds, and a migration
# alters the table, with the guard (the defaults) and without it
# (--lock-retries 0 --lock-timeout 0). See bench/README.md ("Lock guard").
#
#   bench/lock_guard.sh              3 runs of each; writes the results into
#                                    bench/README.md
# Options:
#   --runs N       runs of each scenario (default 3)
#   --hold S       seconds the long transaction stays open after the
#                  migration starts (default 5)
#   --work DIR     where the project, its build and the cluster go
#                  (default bench/work/lock-guard)
#   --no-readme    print the results without writing bench/README.md
#
# Installs what is missing (apt-get), builds and installs MigrationTools
# (Release) under the work directory, starts a throwaway PostgreSQL cluster
# there and always stops it on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

runs=3 hold=5 work= readme=$here/README.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --hold) hold=${2:?--hold needs a value}; shift ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "lock_guard.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/lock-guard}
mkdir -p "$work"
work=$(cd "$work" && pwd)

bench_install_packages lock_guard.sh "${bench_build_packages[@]}" "${bench_server_packages[@]}"
bench_build_package "$work"
bench_start_cluster "$work/pg"

/usr/bin/python3 -B "$here/lock_guard.py" --work "$work" --pg-dir "$pg_dir" --cluster "$cluster" \
  --package "$work/package" --runs "$runs" --hold "$hold" ${readme:+--readme "$readme"}
