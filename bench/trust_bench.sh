#!/usr/bin/env bash
# devcert install/uninstall against mkcert -install/-uninstall, side by side in one run, inside
# a private mount namespace (tests/trust/in_private_system_store.sh, with Debian's Java hook
# live there), on a temporary HOME holding one Firefox profile and Chromium's NSS database.
# Both tools do the same work: system store (update-ca-certificates and its Java hook), NSS
# databases, Java cacerts. Prints each round and the medians of wall and CPU time, with
# devcert/mkcert ratios.
# usage: bench/trust_bench.sh DEVCERT_BIN [ROUNDS]   (root; mkcert, certutil, a JDK installed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -z "${DEVCERT_BENCH_INSIDE:-}" ]]; then
  devcert=$(readlink -f "${1:?usage: trust_bench.sh DEVCERT_BIN [ROUNDS]}")
  command -v mkcert >/dev/null || { echo "mkcert is not installed" >&2; exit 1; }
  export DEVCERT_BENCH_INSIDE=1 DEVCERT_PRIVATE_JAVA_HOOK=1
  exec "$here/../tests/trust/in_private_system_store.sh" "$0" "$devcert" "${2:-5}"
fi
devcert=$1 rounds=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/trust-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work/home JAVA_HOME
JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
unset XDG_CONFIG_HOME DEVCERT_TRUST_STORES
mkdir -p "$HOME/.pki/nssdb" "$HOME/.mozilla/firefox/bench.default"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password
certutil -N -d "sql:$HOME/.mozilla/firefox/bench.default" --empty-password
printf '[Profile0]\nName=bench\nIsRelative=1\nPath=bench.default\n' >"$HOME/.mozilla/firefox/profiles.ini"
export DEVCERT_CAROOT=$work/devcert CAROOT=$work/mkcert
"$devcert" init >/dev/null
(cd "$work" && mkcert localhost >/dev/null 2>&1)  # makes mkcert's CA outside the timing

seconds() {  # seconds COMMAND...: "WALL CPU" of one run (CPU: user + system of it and every
  # process it started), which must succeed. CPU time is what a busy machine disturbs least.
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >"$work/last.log" 2>&1; } 2>&1 ) || { echo "failed: $*" >&2; cat "$work/last.log" >&2; exit 1; }
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' <<<"$t"
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

: >"$work/times"
printf '%-6s %19s %19s %19s %19s\n' round "devcert-i wall/cpu" "mkcert-i wall/cpu" "devcert-u wall/cpu" "mkcert-u wall/cpu"
for ((r = 1; r <= rounds; r++)); do
  di=$(seconds "$devcert" install)
  mi=$(seconds mkcert -install)
  du=$(seconds "$devcert" uninstall)
  mu=$(seconds mkcert -uninstall)
  printf '%-6s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n' "$r" $di $mi $du $mu
  echo "$di $mi $du $mu" >>"$work/times"
done
col() { awk -v c="$1" '{print $c}' "$work/times" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for kind in wall cpu; do
  off=$([[ $kind == wall ]] && echo 0 || echo 1)
  di=$(col $((1 + off))) mi=$(col $((3 + off))) du=$(col $((5 + off))) mu=$(col $((7 + off)))
  printf '\nmedian %s of %d   install: devcert %.3f s, mkcert %.3f s, ratio %s\n' "$kind" "$rounds" "$di" "$mi" "$(ratio "$di" "$mi")"
  printf 'median %s of %d uninstall: devcert %.3f s, mkcert %.3f s, ratio %s\n' "$kind" "$rounds" "$du" "$mu" "$(ratio "$du" "$mu")"
done
# What each left behind in Java's cacerts after its uninstall (mkcert's hook copy stays).
keytool -list -cacerts -storepass changeit 2>/dev/null | grep -ciE "debian:(devcert|mkcert)" |
  sed 's/^/devcert or mkcert entries left in Java cacerts: /' || true
