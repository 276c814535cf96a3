#!/usr/bin/env bash
# Autogenerate against migra (npm @pgkit/migra) and psql, in one run on one
# machine. See bench/README.md ("Autogenerate") for what is measured.
#
#   bench/autogenerate.sh            75 and 1,000 migrations, each with a
#                                    declared schema of as many tables, median
#                                    of 5 runs; writes the results into
#                                    bench/README.md
# Options:
#   --tables N,N   sizes: tables, and migrations (default 75,1000)
#   --runs N       timed runs per figure (default 5; the median is reported)
#   --work DIR     where the project, its build, migra and the cluster go
#                  (default bench/work/autogenerate)
#   --no-readme    print the results without writing bench/README.md
#
# Installs what is missing (apt-get for the build and PostgreSQL, npm for
# migra), starts a throwaway PostgreSQL cluster under the work directory and
# always stops it on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=common.sh
source "$here/common.sh"

tables=75,1000 runs=5 work= readme=$here/README.md
while [[ $# -gt 0 ]]; do
  case $1 in
    --tables) tables=${2:?--tables needs a value}; shift ;;
    --runs) runs=${2:?--runs needs a value}; shift ;;
    --work) work=${2:?--work needs a value}; shift ;;
    --no-readme) readme= ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "autogenerate.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
work=${work:-$here/work/autogenerate}
mkdir -p "$work"
work=$(cd "$work" && pwd)

packages=("${bench_build_packages[@]}" "${bench_server_packages[@]}")
# Node may come from elsewhere than Debian (NodeSource bundles npm with it).
command -v npm >/dev/null || packages+=(nodejs npm)
bench_install_packages autogenerate.sh "${packages[@]}"
# migra, in the work directory (npm's own cache makes a second install quick).
if [[ ! -x $work/node/node_modules/.bin/migra ]]; then
  mkdir -p "$work/node"
  npm install --prefix "$work/node" --no-audit --no-fund --silent @pgkit/migra >/dev/null
fi

bench_start_cluster "$work/pg"

/usr/bin/python3 -B "$here/autogenerate.py" --repo "$repo" --work "$work" --pg-dir "$pg_dir" \
  --cluster "$cluster" --tables "$tables" --runs "$runs" --migra "$work/node/node_modules/.bin/migra" \
  ${readme:+--readme "$readme"}
