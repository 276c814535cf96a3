# What the bench scripts share: installing Debian's
# packages and a throwaway PostgreSQL cluster. Sourced; expects $repo.

# What building MigrationTools as a package needs (bench_build_package), and
# the server and psql of the benchmarks that start a cluster.
bench_build_packages=(cmake ninja-build g++ pkg-config libpqxx-dev libpq-dev libpg-query-dev
  libprotobuf-c-dev libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev)
bench_server_packages=(postgresql postgresql-client)

# bench_install_packages WHO PACKAGE...: installs those not installed yet
# (dpkg-query asks first), with apt-get as root, else with sudo.
bench_install_packages() {
  local who=$1 p
  shift
  local missing=()
  for p in "$@"; do
    if [[ $p == npm || $p == nodejs ]]; then missing+=("$p"); continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      echo "$who: missing packages (${missing[*]}) and neither root nor sudo" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  echo "$who: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# bench_start_cluster DIR [PREFIX...]: the throwaway cluster (Unix socket
# only, fsync off; tests/support/pg_cluster.sh) in DIR, started under PREFIX
# (e.g. nice) and stopped whatever happens: on exit, on an interrupt, and a
# cluster left behind by a killed run first. Sets $pg_dir and $cluster.
bench_start_cluster() {
  pg_dir=$1
  shift
  cluster=$repo/tests/support/pg_cluster.sh
  trap '"$cluster" stop "$pg_dir" || true' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  "$cluster" stop "$pg_dir"
  "$@" "$cluster" start "$pg_dir"
}

# bench_build_package WORK: MigrationTools built in Release under WORK/mt-build
# and installed in WORK/package, where the generated projects find it
# (find_package). CMakeLists.txt takes ccache on its own when it is installed.
bench_build_package() {
  local work=$1
  cmake -S "$repo" -B "$work/mt-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMIGRATION_TOOLS_TESTS=OFF -DMIGRATION_TOOLS_DEMO=OFF >/dev/null
  cmake --build "$work/mt-build" >/dev/null
  cmake --install "$work/mt-build" --prefix "$work/package" >/dev/null
}
