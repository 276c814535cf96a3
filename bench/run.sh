#!/usr/bin/env bash
# MigrationTools' benchmarks against psql (the floor) and Alembic, in one run on
# one machine. See bench/README.md for what is measured.
#
#   bench/run.sh            100, 1,000 and 10,000 migrations, median of 5 runs;
#                           writes the results into bench/README.md
#   bench/run.sh --smoke    20 migrations, 1 run: checks that the suite works
#                           (scripts/test.sh runs this as the test bench.smoke)
# Options:
#   --sizes N,N,...   migration counts (default 100,1000,10000)
#   --runs N          timed runs per figure (default 5; the median is reported)
#   --upgrade-runs N  timed runs of the upgrades (default 9, at least --runs)
#   --max-seconds S   fewer runs for a figure whose runs would take longer (default 120)
#   --full            also repeat the full builds from clean --runs times (slow)
#   --work DIR        where generated projects, build trees and the cluster go
#                     (default bench/work, or bench/work/smoke with --smoke)
#   --no-readme       print the results without writing bench/README.md
#   --package PREFIX  build the runners on MigrationTools installed there
#                     (find_package) instead of its sources (add_subdirectory);
#                     the suite's bench.smoke uses the package its build installed
#   --sections LIST   which of cmake,upgrade,remote,readonly to measure (default
#                     all; readonly needs upgrade)
#   --no-alembic      measure MigrationTools and psql only
#
# Installs what is missing (apt-get, as root or with sudo), starts a throwaway
# PostgreSQL cluster under the work directory and always stops it on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

sizes=100,1000,10000
runs=5
warmup=1
work=
readme=$here/README.md
extra=()
smoke=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) smoke=1 ;;
    --sizes) sizes=${2:?--sizes needs a value}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --upgrade-runs) extra+=(--upgrade-runs "${2:?--upgrade-runs needs a value}"); shift ;;
    --max-seconds) extra+=(--max-seconds "${2:?--max-seconds needs a value}"); shift ;;
    --full) extra+=(--full) ;;
    --sections) extra+=(--sections "${2:?--sections needs a value}"); shift ;;
    --no-alembic) extra+=(--no-alembic) ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    --package) extra+=(--package "${2:?--package needs a value}"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $smoke -eq 1 ]]; then
  sizes=20 runs=1 readme=
  extra+=(--smoke)
  work=${work:-$here/work/smoke}
fi
work=${work:-$here/work}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# What the suite needs, from Debian's packages.
packages=(
  cmake ninja-build g++ pkg-config
  libpqxx-dev libpq-dev libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev
  postgresql postgresql-client
  alembic python3-sqlalchemy python3-psycopg2 time
)
bench_install_packages run.sh "${packages[@]}"

# On a shared machine other jobs disturb the timings less when the benchmark
# runs at a higher priority; that needs root (or CAP_SYS_NICE), else it runs as is.
nice_cmd=()
if [[ $smoke -eq 0 ]] && nice -n -10 true 2>/dev/null && [[ $(nice -n -10 nice) -lt $(nice) ]]; then
  nice_cmd=(nice -n -10)
fi

# The throwaway cluster (Unix socket only, fsync off), stopped whatever happens.
# A cluster left behind by a killed run is stopped first. The server inherits
# the priority.
bench_start_cluster "$work/pg" "${nice_cmd[@]}"

# Debian's python3 (alembic, sqlalchemy and psycopg2 are installed for it), not
# whatever python3 comes first on PATH. It runs in the background so that an
# interrupt reaches this script at once: it stops the suite, then the cluster.
"${nice_cmd[@]}" /usr/bin/python3 -B "$here/bench.py" --work "$work" --pg-dir "$pg_dir" --sizes "$sizes" \
  --runs "$runs" --warmup "$warmup" ${readme:+--readme "$readme"} "${extra[@]}" &
suite=$!
trap 'kill -TERM $suite 2>/dev/null; wait $suite; exit 130' INT
trap 'kill -TERM $suite 2>/dev/null; wait $suite; exit 143' TERM
wait $suite
