#!/usr/bin/env bash
# Issue 30, item 9: a front runner that cannot read its own path (no /proc)
# says so, instead of trying to run "/<name>-online".
#   front_runner_without_proc.sh RUNNER
# Needs a mount namespace (root, or unshare permitted): exit 77 (skipped,
# said so) where there is none.
set -euo pipefail
runner=$1
if ! unshare -m true 2>/dev/null; then
  echo "skipped: no mount namespace here (unshare -m needs root)" >&2
  exit 77
fi
set +e
# shellcheck disable=SC2016
# LeakSanitizer needs /proc: off, so that the exit code is the runner's own.
err=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" unshare -m sh -c 'mount -t tmpfs none /proc && exec "$0" --url postgresql:///nothing current' \
  "$runner" 2>&1 >/dev/null)
rc=$?
set -e
echo "$err"
[[ $rc -eq 1 ]] || { echo "FAIL: the runner exited $rc, not 1" >&2; exit 1; }
grep -q "cannot find this runner's own path to run the online runner" <<<"$err" ||
  { echo "FAIL: no message about the runner's own path" >&2; exit 1; }
if grep -q "cannot run the online runner /" <<<"$err"; then
  echo "FAIL: it tried a path of its own making" >&2
  exit 1
fi
echo "ok"
