#!/usr/bin/env bash
# Builds the fuzz targets with clang and runs each for a bounded time.
#   run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 seconds=${2:-20}
clangxx=$(command -v clang++ || command -v clang++-14 || true)
[[ -n $clangxx ]] || { echo "run_fuzzers.sh: clang++ not found (install 'clang libclang-rt-dev')" >&2; exit 1; }
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$clangxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" >/dev/null
for target in header_parser sql_splitter; do
  corpus="$build/corpus/$target"
  rm -rf "$corpus" && mkdir -p "$corpus"
  seeds="$here/corpus/${target%%_*}"
  [[ $target == sql_splitter ]] && seeds="$here/corpus/splitter"
  cp "$seeds"/* "$corpus"/
  echo "fuzzing $target for $seconds s"
  "$build/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/$target-" "$corpus" 2>"$build/$target.log" \
    || { tail -40 "$build/$target.log"; exit 1; }
  grep -E "^#[0-9]+.*(DONE|pulse)" "$build/$target.log" | tail -n 1
done
