#!/usr/bin/env bash
# The lint against squawk (npm squawk-cli) on a real public project's
# migrations: PostgreSQL 15's contrib extension update scripts (bench/README.md,
# "Lint on a real project"; bench/lint_real.py says how they are read).
#
#   bench/lint_real.sh               writes the findings table into bench/README.md
# Options:
#   --scripts DIR  another project's migrations: its *.sql files, in name order
#                  (default /usr/share/postgresql/15/extension)
#   --work DIR     where the project, its build and squawk go
#                  (default bench/work/lint-real)
#   --no-readme    print the table without writing bench/README.md
#
# Installs what is missing (apt-get for the build and the scripts, npm for
# squawk), builds and installs MigrationTools (Release) under the work
# directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

work= readme=$here/README.md scripts=/usr/share/postgresql/15/extension
while [[ $# -gt 0 ]]; do
  case $1 in
    --work) work=${2:?--work needs a value}; shift ;;
    --scripts) scripts=${2:?--scripts needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "lint_real.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/lint-real}
mkdir -p "$work"
work=$(cd "$work" && pwd)

packages=(cmake ninja-build g++ pkg-config libpqxx-dev libpq-dev libpg-query-dev libprotobuf-c-dev
  libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev postgresql-15)
command -v npm >/dev/null || packages+=(nodejs npm)
bench_install_packages lint_real.sh "${packages[@]}"
if [[ ! -x $work/node/node_modules/.bin/squawk ]]; then
  mkdir -p "$work/node"
  npm install --prefix "$work/node" --no-audit --no-fund --silent squawk-cli >/dev/null
fi
bench_build_package "$work"

/usr/bin/python3 -B "$here/lint_real.py" --work "$work" --package "$work/package" \
  --squawk "$work/node/node_modules/.bin/squawk" --scripts "$scripts" \
  ${readme:+--readme "$readme"}
