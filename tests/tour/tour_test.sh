#!/usr/bin/env bash
# Runs the README's two-minute tour exactly as written (edit schema/, build
# migrate_autogenerate, upgrade, downgrade, history), on a copy of the
# repository, with the embedded development database.
#   tour_test.sh SOURCE_ROOT WORK_DIR SCANNER
set -euo pipefail
root=$1 work=$2 scanner=$3

rm -rf "$work"
mkdir -p "$work"
tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=./bench/work -cf - . | tar -C "$work" -xf -
cd "$work"
unset DATABASE_URL CI
stop_dev_db() { [[ -x build/migrate ]] && build/migrate -q dev-db stop || true; }
trap stop_dev_db EXIT

fail() { echo "tour_test: $*" >&2; exit 1; }

# The quick start's state: the demo runner built and the database at head.
cmake -S . -B build -G Ninja -DMIGRATION_TOOLS_TESTS=OFF -DMIGRATION_TOOLS_SCANNER="$scanner" >/dev/null
cmake --build build --target migrate_upgrade >/dev/null
old_head=$(build/migrate heads | cut -d' ' -f1)

# The tour's blocks, in order, from between the README's tour markers.
tour=$(sed -n '/<!-- tour:begin -->/,/<!-- tour:end -->/p' README.md)
block() {  # block LANG N: the N-th fenced block of that language
  awk -v lang="$1" -v want="$2" '
    $0 == "```" lang { n++; inside = (n == want); next }
    $0 == "```" { inside = 0; next }
    inside { print }' <<<"$tour"
}
[[ -n $(block sql 1) && -n $(block sh 1) && -n $(block sh 2) ]] || fail "README tour blocks not found"

# "Edit it, here with a new file schema/030_user_settings.sql."
block sql 1 >schema/030_user_settings.sql
out=$(bash -euo pipefail -c "$(block sh 1)" 2>&1) || fail "autogenerate failed: $out"
grep -q "detected added table 'public.user_settings'" <<<"$out" || fail "autogenerate detected no table: $out"
# Issue 32: the development cluster is the scratch server, and that is said.
grep -q "scratch server: the development database's server (cluster in .*; stop it with 'migrate dev-db stop')" <<<"$out" ||
  fail "autogenerate did not say which scratch server it used: $out"
file=$(grep -Eo '/[^ ]*migrations/[0-9]{8}_[0-9]{6}_[0-9a-f]{12}_add_user_settings\.sql' <<<"$out" | tail -n 1)
[[ -f $file ]] || fail "migrate_autogenerate printed no file path: $out"
new_rev=$(sed -n 's/^-- migrate:revision //p' "$file")
grep -q "^-- migrate:down_revision $old_head\$" "$file" || fail "the new file's parent is not $old_head"
grep -q "^CREATE TABLE public.user_settings" "$file" || fail "the migration creates no table: $(cat "$file")"
grep -q "^DROP TABLE public.user_settings;" "$file" || fail "the downgrade drops no table: $(cat "$file")"

out=$(bash -euo pipefail -c "$(block sh 2)" 2>&1) || fail "upgrade/downgrade/history failed: $out"
grep -q "$old_head -> $new_rev (head), add user settings" <<<"$out" || fail "history does not show the new head: $out"
[[ $(build/migrate -q current) == "$old_head" ]] || fail "after the downgrade the database is not at $old_head"
url=$(build/migrate dev-db url)
steps=$(psql "$url" -tAc "SELECT string_agg(direction, ',' ORDER BY id) FROM migrate_version_history WHERE revision = '$new_rev'")
[[ $steps == "upgrade,downgrade" ]] || fail "the new migration was not upgraded then downgraded: '$steps'"
echo "tour ok: $new_rev upgraded and downgraded; history shows it as the head"
