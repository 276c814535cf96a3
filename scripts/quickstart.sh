#!/usr/bin/env bash
# The main job: build the demo runner over migrations/, upgrade the embedded
# development database (created under build/ on first use) to head, and print
# the history. The database stays up; `./build/migrate dev-db stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGRATION_TOOLS_TESTS=OFF >/dev/null
cmake --build build --target migrate
cmake --build build --target migrate_upgrade
cmake --build build --target migrate_history
