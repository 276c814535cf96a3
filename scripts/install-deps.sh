#!/usr/bin/env bash
# Installs what MigrationTools needs to build and test, from Debian's packages,
# when it is missing. Uses apt-get directly as root, else sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libpqxx-dev libpq-dev libfmt-dev libcli11-dev libssl-dev nlohmann-json3-dev catch2 libpg-query-dev libprotobuf-c-dev
  postgresql postgresql-client clang libclang-rt-dev ccache python3-jsonschema pgbouncer
  ${MIGRATION_TOOLS_EXTRA_PACKAGES:-}
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-deps.sh: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
