#!/usr/bin/env bash
# The whole test suite: unit tests, runners against a real PostgreSQL started
# (and stopped) by the tests, and CMake configure tests, built with
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# ccache (CMakeLists.txt picks it up): paths under the clone are hashed
# relative to it, so that a fresh clone elsewhere hits the same cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
# The "ci" workflow of CMakePresets.json: configure build-test (Debug, the
# sanitizers, the tests), build it, and run ctest on two cores.
# CMake before 3.25 has no workflow presets: the same steps by hand.
if cmake --workflow --list-presets >/dev/null 2>&1; then
  cmake --workflow --preset ci
else
  cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMIGRATION_TOOLS_TESTS=ON \
    -DMIGRATION_TOOLS_SANITIZE=ON
  cmake --build build-test
  (cd build-test && ctest --output-on-failure -j2 --timeout 600)
fi
