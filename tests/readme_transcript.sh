#!/usr/bin/env bash
# The README's "first five minutes" transcript is what the commands print today: runs
# scripts/first_five_minutes.sh and compares it with the block between the README's markers.
# usage: readme_transcript.sh SOURCE_DIR DEVCERT_BINARY   (exit 77: no mount namespace here)
set -euo pipefail
src=$1 bin=$2
fresh=$(mktemp) documented=$(mktemp)
trap 'rm -f "$fresh" "$documented"' EXIT
set +e
"$src/scripts/first_five_minutes.sh" "$bin" >"$fresh"
rc=$?
set -e
[[ $rc -eq 0 ]] || exit $rc
sed -n '/<!-- first-five-minutes:begin -->/,/<!-- first-five-minutes:end -->/p' "$src/README.md" |
  sed '1,2d;$d' | sed '$d' >"$documented"
if ! diff -u "$documented" "$fresh"; then
  echo "README.md's transcript differs from what devcert prints now (- README, + now);" >&2
  echo "regenerate it: scripts/first_five_minutes.sh > /tmp/t && paste it between the markers" >&2
  exit 1
fi
echo "the README transcript matches ($(wc -l <"$fresh") lines)"
