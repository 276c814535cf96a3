#!/usr/bin/env bash
# The whole test suite: unit tests, runners against a real PostgreSQL started
# (and stopped) by the tests, and CMake configure tests, built with
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build=${MIGRATION_TOOLS_TEST_BUILD_DIR:-build-test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMIGRATION_TOOLS_TESTS=ON \
  -DMIGRATION_TOOLS_SANITIZE=ON >/dev/null
cmake --build "$build"
cd "$build"
ctest --output-on-failure -j2 --timeout 600
