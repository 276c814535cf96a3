#!/usr/bin/env bash
# The lint against squawk (npm squawk-cli), in one run on one machine, on the
# same generated migration files. See bench/README.md ("Lint") for what is
# measured.
#
#   bench/lint.sh            1,000 migrations, median of 5 runs; writes the
#                            results into bench/README.md
# Options:
#   --size N       migrations (default 1000)
#   --runs N       timed runs (default 5)
#   --work DIR     where the project, its build and squawk go
#                  (default bench/work/lint)
#   --no-readme    print the results without writing bench/README.md
#
# Installs what is missing (apt-get for the build, npm for squawk), builds and
# installs MigrationTools (Release) under the work directory. No database.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

size=1000 runs=5 work= readme=$here/README.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --size) size=${2:?--size needs a value}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "lint.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/lint}
mkdir -p "$work"
work=$(cd "$work" && pwd)

packages=("${bench_build_packages[@]}")
command -v npm >/dev/null || packages+=(nodejs npm)
bench_install_packages lint.sh "${packages[@]}"
if [[ ! -x $work/node/node_modules/.bin/squawk ]]; then
  mkdir -p "$work/node"
  npm install --prefix "$work/node" --no-audit --no-fund --silent squawk-cli >/dev/null
fi
bench_build_package "$work"

/usr/bin/python3 -B "$here/lint.py" --work "$work" --package "$work/package" --size "$size" \
  --runs "$runs" --squawk "$work/node/node_modules/.bin/squawk" ${readme:+--readme "$readme"}
