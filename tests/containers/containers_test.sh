#!/usr/bin/env bash
# Trust inside containers, with real Podman and the Debian 12 image of image.sh.
#   containers_test.sh SCENARIO DEVCERT_BIN SOURCE_DIR
# SCENARIO: install (install/status/uninstall --container against devcert serve, curl inside,
# and verify-server --from-container before and after), dockerfile (podman build from `devcert
# snippet dockerfile`), compose (the fragment parsed and its mount used). Every container and image a scenario
# makes is removed when it ends; the host's system stores are compared byte for byte around it.
# Podman runs with runc (crun is refused by the sandbox of these machines), the ulimits runc then
# needs, and the host network, so the container's localhost is the host's loopback.
set -euo pipefail
scenario=$1 devcert=$2 src=$3
image=${DEVCERT_TEST_IMAGE:-localhost/devcert-test-debian12:1}
run_flags=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host)
command -v podman >/dev/null || { echo "FAIL: podman is not installed (scripts/deps.sh --test)" >&2; exit 1; }
podman image exists "$image" || { echo "FAIL: no $image: the container_image fixture (image.sh) did not make it" >&2; exit 1; }

tmp=$(mktemp -d)
tag=devcert-test-$scenario-$$-$RANDOM
containers=() images=() server=
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  for c in "${containers[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  for i in "${images[@]}"; do podman rmi -f "$i" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# devcert never reaches the real HOME, CAROOT or a host store here.
export HOME=$tmp/home DEVCERT_CAROOT=$tmp/ca DEVCERT_TRUST_STORES=nss LC_ALL=C.UTF-8 NO_COLOR=1
mkdir -p "$HOME"
host_stores=(/usr/local/share/ca-certificates /etc/ssl/certs)
"$src/tests/trust/snapshot_trust_state.sh" "${host_stores[@]}" >"$tmp/host-before"
host_unchanged() {
  "$src/tests/trust/snapshot_trust_state.sh" "${host_stores[@]}" >"$tmp/host-now"
  diff -u "$tmp/host-before" "$tmp/host-now" >&2 || fail "the host's system store changed ($1)"
}

"$devcert" init >/dev/null
start_container() {  # NAME [IMAGE]
  containers+=("$1")
  podman run -d --name "$1" "${run_flags[@]}" "${2:-$image}" sleep 300 >/dev/null
}
start_server() {
  "$devcert" serve --port 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server=$!
  for _ in $(seq 100); do
    port=$(sed -n 's|.*test page: https://localhost:\([0-9]*\)/.*|\1|p' "$tmp/serve.out")
    [[ -n "$port" ]] && return 0
    sleep 0.1
  done
  fail "devcert serve did not start: $(cat "$tmp/serve.err")"
}
curl_in() {  # CONTAINER: curl inside it against the host's server, trusting its system store
  podman exec "$1" curl -sS --max-time 10 -o /dev/null "https://localhost:$port/" 2>"$tmp/curl.err"
}
expect() {  # WHAT FILE TEXT
  grep -qF -- "$3" "$2" || { cat "$2" >&2; fail "$1: no '$3' in the output above"; }
}

case $scenario in
install)
  start_server
  c=$tag
  start_container "$c"
  curl_in "$c" && fail "curl in the container trusted the root before install --container"
  expect "curl before install" "$tmp/curl.err" "SSL certificate problem"
  "$devcert" status --container "$c" >"$tmp/out" 2>&1 && fail "status --container said trusted before install"
  expect "status before install" "$tmp/out" "container: not installed"

  # verify-server --from-container: the diagnosis inside names the container's own cause.
  "$devcert" verify-server "wss://localhost:$port/" --from-container "$c" >"$tmp/out" 2>&1 && fail "verify-server passed in a plain container"
  expect "plain container" "$tmp/out" "in container $c: the root is not in the container's store"
  expect "plain container" "$tmp/out" "fix: devcert install --container $c"
  "$devcert" verify-server "wss://localhost:$port/" --from-container "$c" --json >"$tmp/v.json" && fail "--json passed"
  /usr/bin/python3 "$src/tests/json/validate.py" "$src/man/json/verify-server.schema.json" <"$tmp/v.json" ||
    fail "verify-server --from-container --json does not follow its schema"
  [[ -z "$(podman exec "$c" ls /tmp)" ]] || fail "verify-server --from-container left files in the container's /tmp"

  "$devcert" install --container "$c" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "install --container failed"; }
  expect "install" "$tmp/out" "container: installed  podman container '$c': /usr/local/share/ca-certificates (Debian/Ubuntu)"
  host_unchanged "after install --container"
  curl_in "$c" || { cat "$tmp/curl.err" >&2; fail "curl in the container failed after install --container"; }
  "$devcert" verify-server "wss://localhost:$port/" --from-container "$c" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "verify-server failed in the trusted container"; }
  expect "trusted container" "$tmp/out" "ok: a verifying WebSocket client connects"
  "$devcert" status --container "$c" --json >"$tmp/status.json" || fail "status --container --json: not ok"
  /usr/bin/python3 "$src/tests/json/validate.py" "$src/man/json/status.schema.json" <"$tmp/status.json" ||
    fail "status --container --json does not follow its schema"
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["stores"][0]
assert d["ok"] and s["name"]=="container" and s["installed"] and sys.argv[2] in s["where"], d' "$tmp/status.json" "$c" ||
    fail "status --container --json: $(cat "$tmp/status.json")"
  "$devcert" install --container "$c" >"$tmp/out" 2>&1 || fail "a second install --container failed"
  expect "second install" "$tmp/out" "container: already installed"

  "$devcert" uninstall --container "$c" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "uninstall --container failed"; }
  expect "uninstall" "$tmp/out" "container: removed"
  curl_in "$c" && fail "curl in the container still trusted the root after uninstall --container"
  dangling=$(podman exec "$c" find /etc/ssl/certs -xtype l)
  [[ -z "$dangling" ]] || fail "uninstall --container left dangling links: $dangling"
  host_unchanged "after uninstall --container"

  # An image without its CA tooling: the package line is named, nothing installed.
  bare=$tag-bare
  start_container "$bare"
  podman exec "$bare" rm /usr/sbin/update-ca-certificates
  "$devcert" install --container "$bare" >"$tmp/out" 2>&1 && fail "install into an image without update-ca-certificates succeeded"
  expect "no tooling" "$tmp/out" "update-ca-certificates is not in the image of podman container '$bare'"
  expect "no tooling" "$tmp/out" "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates"
  [[ -z "$(podman exec "$bare" ls /usr/local/share/ca-certificates)" ]] || fail "an anchor was written without the tooling"

  # A stopped container, one that is not there, and names an engine would read as options.
  podman stop -t 0 "$bare" >/dev/null
  rc=0; "$devcert" install --container "$bare" >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == 1 ]] || fail "install --container of a stopped container exited $rc"
  expect "stopped container" "$tmp/out" "cannot reach podman container '$bare'"
  rc=0; "$devcert" install --container "$tag-absent" >"$tmp/out" 2>&1 || rc=$?
  [[ $rc == 1 ]] || fail "install --container of a missing container exited $rc"
  expect "missing container" "$tmp/out" "cannot reach podman container '$tag-absent'"
  expect "missing container" "$tmp/out" "podman start $tag-absent"
  for hostile in -u --privileged "a b" $'a\nb' $'a\x1b[2J'; do
    rc=0; "$devcert" install "--container=$hostile" >"$tmp/out" 2>&1 || rc=$?
    [[ $rc == 2 ]] || fail "install --container '$hostile' exited $rc"
    expect "hostile name" "$tmp/out" "is not a container name or ID"
  done
  ;;
dockerfile)
  start_server
  ctx=$tmp/context
  mkdir -p "$ctx"
  cp "$DEVCERT_CAROOT/rootCA.pem" "$ctx/devcert-rootCA.pem"
  { echo "FROM $image"; "$devcert" snippet dockerfile --base debian; } >"$ctx/Containerfile"
  grep -q "PRIVATE KEY\|rootCA-key" "$ctx/Containerfile" && fail "the snippet names the CA key"
  images+=("localhost/$tag:1")
  podman build --quiet --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host \
    -t "localhost/$tag:1" "$ctx" >"$tmp/build.out" 2>&1 || { cat "$tmp/build.out" "$ctx/Containerfile" >&2; fail "podman build"; }
  start_container "$tag" "localhost/$tag:1"
  curl_in "$tag" || { cat "$tmp/curl.err" >&2; fail "curl in the image built from the snippet does not trust the root"; }
  podman exec "$tag" python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
    "https://localhost:$port/" || fail "Python in the image built from the snippet does not trust the root"
  for base in alpine fedora ubuntu arch opensuse; do
    "$devcert" snippet dockerfile --base "$base" >/dev/null || fail "snippet dockerfile --base $base"
  done
  host_unchanged "after podman build"
  ;;
compose)
  start_server
  "$devcert" snippet compose >"$tmp/compose.yaml"
  grep -q "PRIVATE KEY\|rootCA-key" "$tmp/compose.yaml" && fail "the fragment names the CA key"
  # The fragment as YAML: the mount and the variables; then that mount and those variables used.
  /usr/bin/python3 - "$tmp/compose.yaml" "$DEVCERT_CAROOT/rootCA.pem" >"$tmp/run-args" <<'PY' || fail "compose fragment"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
app = doc["services"]["app"]
[mount] = app["volumes"]
assert mount == {"type": "bind", "source": sys.argv[2], "target": "/run/devcert/rootCA.pem", "read_only": True}, mount
env = app["environment"]
for name in ("NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
    assert env[name] == mount["target"], (name, env)
print(f"-v\n{mount['source']}:{mount['target']}:ro")
for name, value in env.items():
    print(f"-e\n{name}={value}")
PY
  mapfile -t args <"$tmp/run-args"
  containers+=("$tag")
  podman run --rm --name "$tag" "${run_flags[@]}" "${args[@]}" "$image" python3 -c \
    'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' "https://localhost:$port/" ||
    fail "Python with the fragment's mount and variables does not trust the root"
  if command -v podman-compose >/dev/null; then
    echo "podman-compose found: not used here yet (the fragment's own mount and variables were run above)"
  fi
  ;;
*) fail "unknown scenario $scenario" ;;
esac
echo "ok: $scenario"
