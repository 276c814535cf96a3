#!/usr/bin/env bash
# A fleet (issue 36): 100 databases on one server, 100 migrations each,
# migrated by one runner with --jobs 4, against each database migrated alone.
# See bench/README.md ("Fleets").
#
#   bench/fleet.sh                 writes the results into bench/README.md
# Options:
#   --databases N   databases in the fleet (default 100)
#   --migrations N  migrations in the history (default 100)
#   --jobs N        the fleet's --jobs (default 4)
#   --work DIR      where the project, its build and the cluster go
#                   (default bench/work/fleet)
#   --no-readme     print the results without writing bench/README.md
#
# Installs what is missing (apt-get), builds and installs MigrationTools
# (Release) under the work directory, starts a throwaway PostgreSQL cluster
# there and always stops it on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

databases=100 migrations=100 jobs=4 work= readme=$here/README.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --databases) databases=${2:?--databases needs a value}; shift ;;
    --migrations) migrations=${2:?--migrations needs a value}; shift ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fleet.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/fleet}
mkdir -p "$work"
work=$(cd "$work" && pwd)

bench_install_packages fleet.sh "${bench_build_packages[@]}" "${bench_server_packages[@]}"
bench_build_package "$work"
bench_start_cluster "$work/pg"

/usr/bin/python3 -B "$here/fleet.py" --work "$work" --pg-dir "$pg_dir" --cluster "$cluster" \
  --package "$work/package" --databases "$databases" --migrations "$migrations" --jobs "$jobs" \
  ${readme:+--readme "$readme"}
