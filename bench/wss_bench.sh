#!/usr/bin/env bash
# TLS + WebSocket handshakes/s and echo messages/s against `devcert serve`, the seed's Python
# `websockets` server and a Node `ws` server, side by side in one run: the same leaf (minted
# by a throw-away devcert CA), each on its own ephemeral port on localhost, one load client
# (bench/wss_load.cpp) for all three. Prints a Markdown table. With ROUNDS > 1 each cell is
# measured ROUNDS times, the three servers taking turns, and the table shows the median: one
# 3 s cell on a shared machine can be off by 2x.
# usage: bench/wss_bench.sh [BUILD_DIR] [SECONDS_PER_CELL] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${2:-3}
rounds=${3:-1}
cmake --build "$build" --target devcert devcert_wss_load >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DEVCERT_CAROOT=$work/caroot NO_COLOR=1
"$build/devcert" -q init >/dev/null
"$build/devcert" -q issue localhost 127.0.0.1 ::1 --cert-file "$work/cert.pem" --key-file "$work/key.pem" >/dev/null 2>&1
root=$DEVCERT_CAROOT/rootCA.pem

# start NAME REGEX COMMAND...: runs a server, waits for its port in its output.
declare -A port
start() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if p=$(grep -oE "$pattern" "$work/$name.log" | grep -oE '[0-9]+$' | head -1) && [[ -n $p ]]; then
      port[$name]=$p
      return
    fi
    sleep 0.1
  done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}
start devcert 'wss://localhost:[0-9]+' "$build/devcert" serve --cert "$work/cert.pem" --key "$work/key.pem" --port 0
start python 'listening [0-9]+' /usr/bin/python3 tests/peers/python_server.py "$work/cert.pem" "$work/key.pem"
start node 'listening [0-9]+' env NODE_PATH=/usr/share/nodejs node tests/peers/node_server.js "$work/cert.pem" "$work/key.pem"

load() { "$build/devcert_wss_load" localhost "${port[$1]}" "$root" "${@:2}" 2>>"$work/load-errors.log" || echo 0; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# cell LABEL ARGS...: one table row, each server measured $rounds times in turn.
cell() {
  local label=$1 r s
  shift
  declare -A got=()
  for ((r = 0; r < rounds; r++)); do
    for s in devcert python node; do got[$s]+="$(load "$s" "$@") "; done
  done
  local row="| $label"
  for s in devcert python node; do row+=" | $(median ${got[$s]})"; done
  echo "$row |"
}

echo "| workload | connections | devcert serve | Python websockets | Node ws |"
echo "| --- | ---: | ---: | ---: | ---: |"
for conns in 1 64; do cell "TLS + WebSocket handshakes/s | $conns" handshakes "$conns" "$secs"; done
for size in 64 16384; do
  label=$([[ $size == 64 ]] && echo "64 B" || echo "16 KiB")
  for conns in 1 64; do cell "echo $label messages/s | $conns" echo "$conns" "$secs" "$size"; done
done
if [[ -s $work/load-errors.log ]]; then
  echo
  echo "load client errors:"
  sort "$work/load-errors.log" | uniq -c
fi
