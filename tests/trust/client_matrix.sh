#!/usr/bin/env bash
# The issue's client matrix, run inside tests/trust/in_private_system_store.sh with a temporary
# HOME: `devcert serve` with a leaf from DEVCERT_CAROOT; every client before `devcert install`,
# after it, and after `devcert uninstall`. Prints "CLIENT PHASE EXIT" lines, "CLIENT skip WHY"
# for a client that is not installed, and the clients' errors in files under $OUT.
# Needs: DEVCERT_BIN, DEVCERT_CAROOT, HOME (temporary), OUT (a directory), JAVA_HOME.
# STORE_ARGS (optional, e.g. "--store system"): passed to install and uninstall; Chromium, which
# trusts only its NSS database, is run only when every store is.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export NODE_PATH=/usr/share/nodejs NO_COLOR=1

"$DEVCERT_BIN" serve --port 0 >"$OUT/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "Ctrl-C stops" "$OUT/serve.log" && break; sleep 0.1; done
port=$(sed -n 's|.*wss://localhost:\([0-9]*\)/.*|\1|p' "$OUT/serve.log" | head -1)
[[ -n "$port" ]] || { echo "serve did not start"; cat "$OUT/serve.log"; exit 1; }

run() {  # run CLIENT PHASE COMMAND...
  local client=$1 phase=$2
  shift 2
  timeout 60 "$@" >"$OUT/$client-$phase.out" 2>&1
  echo "$client $phase $?"
}

clients() {
  local phase=$1
  if [[ -n "${STORE_ARGS:-}" ]]; then echo "chromium skip only some stores selected"
  elif [[ -x /usr/bin/chromium && -d "$src/tests/browser/node_modules/playwright-core" ]]; then
    XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache \
      run chromium "$phase" node "$src/tests/browser/page.js" "https://localhost:$port/"
  else echo "chromium skip /usr/bin/chromium or tests/browser/node_modules (npm ci) missing"; fi
  if command -v curl >/dev/null; then run curl "$phase" curl -sS -o /dev/null "https://localhost:$port/"
  else echo "curl skip not installed"; fi
  if /usr/bin/python3 -c "import websockets" 2>/dev/null; then
    run python "$phase" /usr/bin/python3 "$here/clients/python_ws.py" "wss://localhost:$port/"
  else echo "python skip python3-websockets not installed"; fi
  if command -v gnutls-cli >/dev/null; then
    run gnutls "$phase" gnutls-cli --port "$port" localhost </dev/null
  else echo "gnutls skip gnutls-bin not installed"; fi
  if [[ -x "$JAVA_HOME/bin/java" ]]; then
    run java "$phase" "$JAVA_HOME/bin/java" "$here/clients/JavaWebSocket.java" "wss://localhost:$port/"
  else echo "java skip no JDK"; fi
  if command -v node >/dev/null && node -e "require('ws')" 2>/dev/null; then
    # Node trusts through `devcert env`, not a store: with its variables only once installed.
    if [[ "$phase" == installed ]]; then
      (eval "$("$DEVCERT_BIN" env --shell bash)"; run node "$phase" node "$here/clients/node_ws.js" "wss://localhost:$port/")
    else
      run node "$phase" node "$here/clients/node_ws.js" "wss://localhost:$port/"
    fi
  else echo "node skip node-ws not installed"; fi
}

clients before
"$DEVCERT_BIN" install ${STORE_ARGS:-} >"$OUT/install.log" 2>&1; echo "devcert install $?"
clients installed
"$DEVCERT_BIN" uninstall ${STORE_ARGS:-} >"$OUT/uninstall.log" 2>&1; echo "devcert uninstall $?"
clients after
