#!/usr/bin/env bash
# Prints the README's "first five minutes" transcript by running the commands: a new user's
# init, install, issue, verify-server and status, with a fresh CAROOT and HOME (a Chromium NSS
# database made by certutil, as a first browser start makes it). The system trust store is a
# private copy in a mount namespace (tests/trust/in_private_system_store.sh): the real
# update-ca-certificates runs, nothing reaches this machine's store.
# What changes from run to run (paths, fingerprints, dates, timings) is written as <...>.
# usage: scripts/first_five_minutes.sh [DEVCERT_BINARY]   (default: build/devcert)
# Exit 77 when no private mount namespace can be made here (needs root).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
devcert=$(readlink -f "${1:-$here/build/devcert}")
if [[ -z "${DEVCERT_TRANSCRIPT_INSIDE:-}" ]]; then
  exec env DEVCERT_TRANSCRIPT_INSIDE=1 "$here/tests/trust/in_private_system_store.sh" "$0" "$devcert"
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/devcert-transcript-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" DEVCERT_CAROOT="$scratch/home/.local/share/devcert" NO_COLOR=1 LC_ALL=C.UTF-8
unset DEVCERT_TRUST_STORES XDG_DATA_HOME XDG_CONFIG_HOME JAVA_HOME
mkdir -p "$HOME/.pki/nssdb" "$HOME/app"
certutil -N -d "sql:$HOME/.pki/nssdb" --empty-password
cd "$HOME/app"
ln -s "$devcert" "$scratch/devcert"
export PATH="$scratch:$PATH"
for cmd in "devcert init" "devcert install" "devcert issue localhost 127.0.0.1 ::1" "devcert verify-server" \
           "devcert status"; do
  echo "\$ $cmd"
  $cmd 2>&1 || echo "(exit $?)"
  echo
done | /usr/bin/python3 -c '
import re, sys
home = sys.argv[1]
text = sys.stdin.read().replace(home, "~")
text = re.sub(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", "<sha-256>", text)
text = re.sub(r"devcert-[0-9a-f]{16}", "devcert-<id>", text)
text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "<time>", text)
text = re.sub(r"\d{4}-\d{2}-\d{2}", "<date>", text)
text = re.sub(r"\b\d+(\.\d+)? ?ms\b", "<n> ms", text)
text = re.sub(r"\bport \d+", "port <port>", text)
text = re.sub(r"127\.0\.0\.1:\d+|\[::1\]:\d+|localhost:\d+", lambda m: m.group(0).rsplit(":", 1)[0] + ":<port>", text)
text = re.sub(r"\S+@\S+ <date>", "<user>@<host> <date>", text)
sys.stdout.write(text.rstrip("\n") + "\n")
' "$HOME"
