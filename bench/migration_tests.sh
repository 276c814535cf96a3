#!/usr/bin/env bash
# The stairway test against a plain upgrade of the same history, in one run on
# one machine. See bench/README.md ("Migration tests") for what is measured.
#
#   bench/migration_tests.sh         1,000 and 10,000 migrations (one table, its
#                                    index, function and trigger each), median
#                                    of 3 runs; writes the results into
#                                    bench/README.md
# Options:
#   --sizes N,N    migration counts (default 1000,10000)
#   --runs N       timed runs per figure (default 3)
#   --work DIR     where the projects, their builds and the cluster go
#                  (default bench/work/migration-tests)
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

sizes=1000,10000 runs=3 work= readme=$here/README.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) sizes=${2:?--sizes needs a value}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "migration_tests.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/migration-tests}
mkdir -p "$work"
work=$(cd "$work" && pwd)

bench_install_packages migration_tests.sh "${bench_build_packages[@]}" "${bench_server_packages[@]}"
# MigrationTools as a package, built once in Release; the projects find it.
bench_build_package "$work"

bench_start_cluster "$work/pg"

/usr/bin/python3 -B "$here/migration_tests.py" --work "$work" --pg-dir "$pg_dir" --cluster "$cluster" \
  --package "$work/package" --sizes "$sizes" --runs "$runs" ${readme:+--readme "$readme"}
