#!/usr/bin/env bash
# The ACME clients Debian 12 ships, run for real against `devcert acme` on a loopback port: each
# obtains a certificate that verifies against the devcert root, and is refused a name outside the
# CA's constraints with devcert's own words. One client (or theme) per run, so that ctest runs
# them side by side; each in its own temporary HOME and CAROOT, every process under `timeout`.
# usage: acme_clients.sh certbot|lego|caddy|dehydrated|acme_tiny|validate|eab DEVCERT_BINARY
# Exit 77 when the client is not installed, or a private namespace cannot be made (caddy: the
# system store, eab: the network; both need root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
client=$1
devcert=$(readlink -f "$2")
# The clients of the Debian packages, with the system's tools: a developer's PATH can put
# wrappers (pyenv shims) before grep and sed, which dehydrated runs hundreds of times.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "$c is not installed (scripts/deps.sh --test installs it)"; exit 77; }
  done
}
case "$client" in
  certbot | lego | caddy | dehydrated) need "$client" ;;
  acme_tiny) need acme-tiny ;;
  validate) need certbot lego ;;
  eab) need certbot lego ip unshare ;;
  *) echo "usage: $0 certbot|lego|caddy|dehydrated|acme_tiny|validate|eab DEVCERT_BINARY" >&2; exit 2 ;;
esac
# caddy: `devcert install` puts the root into the system store, which must be a private copy.
if [[ "$client" == caddy && -z "${DEVCERT_PRIVATE_STORE:-}" ]]; then
  exec "$here/../trust/in_private_system_store.sh" "$0" "$@"
fi
# eab: devcert asks for external account keys only beyond loopback (asio's is_loopback, so
# 127.0.0.2 is loopback too). A private network namespace has an address that is not loopback
# yet reachable from nowhere but the namespace: the real rule, tested without a network.
if [[ "$client" == eab && -z "${DEVCERT_ACME_NETNS:-}" ]]; then
  unshare --net true 2>/dev/null || { echo "cannot create a network namespace here (needs root)"; exit 77; }
  exec unshare --net env DEVCERT_ACME_NETNS=1 "$0" "$@"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/devcert-acme-$client-XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
# Every client writes under $scratch: HOME and the XDG directories point there, and each
# client's own state directory is given on its command line below. Where they write by default
# must not change (checked at the end).
defaults=(/etc/letsencrypt /var/lib/letsencrypt /var/log/letsencrypt /etc/dehydrated /var/lib/dehydrated
  /etc/caddy /var/lib/caddy "$HOME/.lego" "$HOME/.local/share/caddy" "$HOME/.config/caddy")
defaults_state() { find "${defaults[@]}" -printf '%p %y %s %T@\n' 2>/dev/null | LC_ALL=C sort || true; }
defaults_before=$(defaults_state)
export HOME="$scratch/home" DEVCERT_CAROOT="$scratch/ca" XDG_DATA_HOME="$scratch/xdg-data"
export XDG_CONFIG_HOME="$scratch/xdg-config" XDG_CACHE_HOME="$scratch/xdg-cache" NO_COLOR=1 LC_ALL=C.UTF-8
unset DEVCERT_TRUST_STORES REQUESTS_CA_BUNDLE SSL_CERT_FILE CURL_CA_BUNDLE LEGO_CA_CERTIFICATES
mkdir -p "$HOME"
root="$DEVCERT_CAROOT/rootCA.pem"
refused_words="may sign only names and addresses under"  # devcert's rejectedIdentifier detail
outside=devcert-test.com  # not under any of the default constraints (example.com is)

fail() {
  echo "FAIL: $1" >&2
  local f
  for f in "${@:2}"; do [[ -f "$f" ]] && { echo "--- $f (last 40 lines)" >&2; tail -40 "$f" >&2; }; done
  exit 1
}
ok() { echo "ok: $*"; }

# run NAME SECONDS COMMAND...: stdout in $scratch/NAME.out, stderr in NAME.err; sets $rc.
run() {
  local name=$1 seconds=$2
  shift 2
  set +e
  timeout "$seconds" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err" </dev/null
  rc=$?
  set -e
  cat "$scratch/$name.out" "$scratch/$name.err" >"$scratch/$name.all"
}
expect_ok() {
  run "$@"
  [[ $rc -eq 0 ]] || fail "$1 exited $rc: ${*:3}" "$scratch/$1.all" "$acme_log"
  ok "$1"
}
# expect_refused NAME SECONDS TEXT COMMAND...: fails, and its output says TEXT.
expect_refused() {
  local name=$1 seconds=$2 text=$3
  shift 3
  run "$name" "$seconds" "$@"
  [[ $rc -ne 0 ]] || fail "$name succeeded; it should have been refused: $*" "$scratch/$name.all"
  grep -qF -- "$text" "$scratch/$name.all" || fail "$name's output does not say \"$text\"" "$scratch/$name.all" "$acme_log"
  ok "$name (refused: $text)"
}
expect_in() {
  grep -qF -- "$2" "$1" || fail "$1 does not say \"$2\"" "$1"
}

# verify_leaf FILE NAME...: the first certificate in FILE chains to the devcert root for each NAME.
verify_leaf() {
  local file=$1 name
  shift
  [[ -s "$file" ]] || fail "no certificate at $file"
  for name in "$@"; do
    timeout 10 openssl verify -CAfile "$root" -verify_hostname "$name" "$file" >"$scratch/verify.out" 2>&1 ||
      fail "$file does not verify for $name against the devcert root" "$scratch/verify.out"
  done
  ok "$(basename "$file") verifies against the devcert root for $*"
}
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE TEXT SECONDS: until FILE says TEXT.
wait_for() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "$1 did not say \"$2\" within $3 s" "$1"
}

# start_acme ARGS...: devcert acme --port 0 ARGS in the background; sets $directory, $acme_log.
acme_log=/dev/null
start_acme() {
  acme_log="$scratch/acme-${#pids[@]}.log"
  timeout 290 "$devcert" acme --port 0 "$@" >"$acme_log" 2>&1 &
  pids+=($!)
  wait_for "$acme_log" "listening on" 10
  directory=$(sed -n 's/^  directory: *//p' "$acme_log")
  ok "devcert acme${*:+ $*} serves $directory"
}

init_ca() {
  run init 30 "$devcert" init
  [[ $rc -eq 0 ]] || fail "devcert init exited $rc" "$scratch/init.all"
}

test_certbot() {
  start_acme
  export REQUESTS_CA_BUNDLE="$root"
  local cb=(--config-dir "$scratch/certbot/config" --work-dir "$scratch/certbot/work"
            --logs-dir "$scratch/certbot/logs" --non-interactive)
  local live="$scratch/certbot/config/live/app.localhost"
  expect_ok certbot-certonly 90 certbot certonly "${cb[@]}" --server "$directory" --standalone \
    -d app.localhost -d '*.app.localhost' --register-unsafely-without-email --agree-tos
  verify_leaf "$live/cert.pem" app.localhost www.app.localhost
  local first
  first=$(serial_of "$live/cert.pem")
  # Unattended, certbot renew waits up to 8 minutes first (spreading load on a public CA).
  expect_ok certbot-renew 90 certbot renew "${cb[@]}" --force-renewal --no-random-sleep-on-renew
  local renewed
  renewed=$(serial_of "$live/cert.pem")
  [[ "$renewed" != "$first" ]] || fail "certbot renew kept the certificate $first" "$scratch/certbot-renew.all"
  verify_leaf "$live/cert.pem" app.localhost www.app.localhost
  # The account belongs to this server, so revoke needs --server too.
  expect_ok certbot-revoke 90 certbot revoke "${cb[@]}" --server "$directory" --cert-path "$live/cert.pem" \
    --reason superseded --no-delete-after-revoke
  expect_in "$acme_log" "revoked $renewed (reason 4)"
  # certbot 2.1 on Python 3.11 turns every ACME error into "AttributeError: can't set
  # attribute" (fixed in certbot 2.2); -vv prints the traceback, which holds devcert's problem.
  expect_refused certbot-outside 90 "$refused_words" certbot -vv certonly "${cb[@]}" --server "$directory" \
    --standalone -d "$outside"
  expect_in "$scratch/certbot-outside.all" "urn:ietf:params:acme:error:rejectedIdentifier"
}

test_lego() {
  start_acme
  export LEGO_CA_CERTIFICATES="$root"
  local lg=(--server "$directory" --path "$scratch/lego" --accept-tos --email dev@example.test)
  local crt="$scratch/lego/certificates/app.test.crt"
  # --http names a solver, which lego needs; it never listens: the authorizations are valid.
  expect_ok lego-run 60 lego "${lg[@]}" -d app.test -d '*.app.test' --http run
  expect_in "$scratch/lego-run.all" "authorization already valid; skipping challenge"
  verify_leaf "$crt" app.test www.app.test
  local first renewed
  first=$(serial_of "$crt")
  expect_ok lego-renew 60 lego "${lg[@]}" -d app.test -d '*.app.test' --http renew --days 90 --no-random-sleep
  renewed=$(serial_of "$crt")
  [[ "$renewed" != "$first" ]] || fail "lego renew kept the certificate $first" "$scratch/lego-renew.all"
  verify_leaf "$crt" app.test www.app.test
  # revoke acts on each -d's certificate file: name only the first.
  expect_ok lego-revoke 60 lego "${lg[@]}" -d app.test revoke --reason 4
  expect_in "$acme_log" "revoked $renewed (reason 4)"
  expect_refused lego-outside 60 "$refused_words" lego "${lg[@]}" -d "$outside" --http run
  expect_in "$scratch/lego-outside.all" "urn:ietf:params:acme:error:rejectedIdentifier"
}

test_dehydrated() {
  start_acme
  local dir="$scratch/dehydrated"
  mkdir -p "$dir/wellknown"
  cat >"$dir/config" <<CONFIG
CA="$directory"
BASEDIR="$dir"
WELLKNOWN="$dir/wellknown"
CHALLENGETYPE="http-01"
CURL_OPTS="--cacert $root"
CONFIG
  # --accept-terms: the first run registers the account too.
  expect_ok dehydrated-cron 150 dehydrated --config "$dir/config" --cron --accept-terms \
    --domain app.test --domain www.app.test
  expect_in "$scratch/dehydrated-cron.all" "Found valid authorization for www.app.test"
  [[ -z "$(ls -A "$dir/wellknown")" ]] || fail "dehydrated wrote a challenge file for a valid authorization"
  ok "dehydrated wrote no challenge file"
  verify_leaf "$dir/certs/app.test/cert.pem" app.test www.app.test
  expect_refused dehydrated-outside 120 "$refused_words" dehydrated --config "$dir/config" --cron --domain "$outside"
}

test_acme_tiny() {
  start_acme
  local dir="$scratch/acme-tiny"
  mkdir -p "$dir/challenges"
  # acme-tiny signs with an RSA account key only; the certificate's key may be anything.
  openssl genrsa -out "$dir/account.key" 2048 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/domain.key" -subj / \
    -addext "subjectAltName=DNS:app.test,DNS:www.app.test" -out "$dir/domain.csr" 2>/dev/null
  openssl req -new -key "$dir/domain.key" -subj / -addext "subjectAltName=DNS:$outside" -out "$dir/outside.csr"
  export SSL_CERT_FILE="$root"  # Python's urllib trusts this file
  expect_ok acme-tiny 60 acme-tiny --account-key "$dir/account.key" --csr "$dir/domain.csr" \
    --acme-dir "$dir/challenges" --directory-url "$directory"
  expect_in "$scratch/acme-tiny.all" "Already verified: www.app.test, skipping..."
  [[ -z "$(ls -A "$dir/challenges")" ]] || fail "acme-tiny wrote a challenge file for a valid authorization"
  ok "acme-tiny wrote no challenge file"
  verify_leaf "$scratch/acme-tiny.out" app.test www.app.test
  expect_refused acme-tiny-outside 60 "$refused_words" acme-tiny --account-key "$dir/account.key" \
    --csr "$dir/outside.csr" --acme-dir "$dir/challenges" --directory-url "$directory"
}

test_caddy() {
  # devcert verify-server resolves app.localhost with the system resolver, which (without
  # systemd-resolved) knows only /etc/hosts: a copy with the name, in this mount namespace.
  cp /etc/hosts "$scratch/hosts"
  echo "127.0.0.1 app.localhost" >>"$scratch/hosts"
  mount --bind "$scratch/hosts" /etc/hosts
  start_acme
  # Caddy proxies to a devcert serve echo server, so that verify-server walks every stage,
  # the WebSocket echo included.
  timeout 290 "$devcert" serve --host 127.0.0.1 --port 0 >"$scratch/serve.log" 2>&1 &
  pids+=($!)
  wait_for "$scratch/serve.log" "listening on" 10
  local upstream http_port https_port
  upstream=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$scratch/serve.log")
  http_port=$(free_port)
  https_port=$(free_port)
  # Each site names its issuer, in the two spellings Caddy 2.6 takes (the tls block's ca and
  # ca_root, which devcert acme prints, and an acme issuer block): with only the global acme_ca,
  # Caddy keeps .localhost names (and every name it deems internal) for its own CA, whose root
  # it installs into the system store unless skip_install_trust says not to.
  cat >"$scratch/Caddyfile" <<CADDYFILE
{
	admin off
	skip_install_trust
	http_port $http_port
	https_port $https_port
	default_bind 127.0.0.1
	storage file_system $scratch/caddy
}

app.localhost:$https_port {
	tls {
		ca $directory
		ca_root $root
	}
	reverse_proxy https://$upstream {
		transport http {
			tls_trusted_ca_certs $root
		}
	}
}

$outside:$https_port {
	tls {
		issuer acme {
			dir $directory
			trusted_roots $root
		}
	}
	respond "devcert must not have signed this"
}
CADDYFILE
  timeout 290 caddy run --config "$scratch/Caddyfile" --adapter caddyfile >"$scratch/caddy.log" 2>&1 &
  pids+=($!)
  wait_for "$scratch/caddy.log" '"msg":"certificate obtained successfully","identifier":"app.localhost"' 60
  ok "Caddy obtained app.localhost's certificate"
  verify_leaf "$(find "$scratch/caddy/certificates" -name app.localhost.crt)" app.localhost
  wait_for "$scratch/caddy.log" "$refused_words" 60
  [[ -z "$(find "$scratch/caddy/certificates" -name "$outside.crt")" ]] || fail "Caddy holds a certificate for $outside"
  ok "Caddy was refused $outside with devcert's detail"
  # The private system store trusts the root; verify-server with no --ca trusts only that store.
  expect_ok install-system 120 env DEVCERT_TRUST_STORES=system "$devcert" install
  expect_ok verify-server 60 "$devcert" verify-server "https://app.localhost:$https_port/"
  expect_in "$scratch/verify-server.out" "trusted by the system store"
  expect_in "$scratch/verify-server.out" "app.localhost is in the SAN"
  expect_in "$scratch/verify-server.out" "ok: a verifying WebSocket client connects"
}

test_validate() {
  local http_port tls_port closed
  http_port=$(free_port)
  tls_port=$(free_port)
  closed=$(free_port)  # where the clients listen when nothing must answer on the checked port
  start_acme --validate --http-port "$http_port" --tls-port "$tls_port"
  export REQUESTS_CA_BUNDLE="$root" LEGO_CA_CERTIFICATES="$root"
  local cb=(--config-dir "$scratch/certbot/config" --work-dir "$scratch/certbot/work"
            --logs-dir "$scratch/certbot/logs" --non-interactive --server "$directory" --standalone -d localhost)
  expect_ok certbot-http-01 90 certbot certonly "${cb[@]}" --http-01-port "$http_port" \
    --register-unsafely-without-email --agree-tos
  verify_leaf "$scratch/certbot/config/live/localhost/cert.pem" localhost
  expect_refused certbot-http-01-unreachable 90 \
    "Detail: http-01: GET http://localhost:$http_port/.well-known/acme-challenge/" \
    certbot certonly "${cb[@]}" --http-01-port "$closed" --force-renewal
  expect_in "$scratch/certbot-http-01-unreachable.all" "Type:   connection"
  expect_in "$scratch/certbot-http-01-unreachable.all" "Connection refused"

  local lg=(--server "$directory" --path "$scratch/lego" --accept-tos --email dev@example.test -d localhost)
  expect_ok lego-http-01 60 lego "${lg[@]}" --http --http.port "127.0.0.1:$http_port" run
  verify_leaf "$scratch/lego/certificates/localhost.crt" localhost
  expect_ok lego-tls-alpn-01 60 lego "${lg[@]}" --tls --tls.port "127.0.0.1:$tls_port" renew --days 90 --no-random-sleep
  verify_leaf "$scratch/lego/certificates/localhost.crt" localhost
  expect_in "$acme_log" "tls-alpn-01 for localhost: passed"
  expect_refused lego-http-01-unreachable 60 \
    "urn:ietf:params:acme:error:connection :: http-01: GET http://localhost:$http_port/.well-known/acme-challenge/" \
    lego "${lg[@]}" --http --http.port "127.0.0.1:$closed" renew --days 90 --no-random-sleep
  expect_refused lego-tls-alpn-01-unreachable 60 \
    "urn:ietf:params:acme:error:connection :: tls-alpn-01: connecting to localhost port $tls_port" \
    lego "${lg[@]}" --tls --tls.port "127.0.0.1:$closed" renew --days 90 --no-random-sleep
  expect_in "$scratch/lego-tls-alpn-01-unreachable.all" "Connection refused"
}

test_eab() {
  # This namespace's own address: beyond loopback for devcert, reachable only from in here.
  ip link set lo up
  ip addr add 10.0.0.1/32 dev lo
  expect_refused acme-without-keys 30 "every account there needs an external account key" \
    "$devcert" acme --host 10.0.0.1 --port 0
  local name
  for name in lego certbot; do
    run "eab-$name" 30 "$devcert" acme eab add "$name"
    [[ $rc -eq 0 ]] || fail "devcert acme eab add $name exited $rc" "$scratch/eab-$name.all"
    declare -g "${name}_kid=$(sed -n 's/^  key id: *//p' "$scratch/eab-$name.out")"
    declare -g "${name}_hmac=$(sed -n 's/^  HMAC key: *//p' "$scratch/eab-$name.out")"
  done
  start_acme --host 10.0.0.1
  expect_in "$acme_log" "accounts:     need an external account key"
  export REQUESTS_CA_BUNDLE="$root" LEGO_CA_CERTIFICATES="$root"

  local lg=(--server "$directory" --path "$scratch/lego" --accept-tos --email dev@example.test -d app.test --http)
  # Without a key lego reads externalAccountRequired in the directory and does not ask.
  expect_refused lego-without-eab 60 "Server requires External Account Binding" lego "${lg[@]}" run
  # A made-up HMAC key reaches devcert, which refuses the binding.
  local wrong
  wrong=$(openssl rand 32 | basenc --base64url | tr -d '=\n')
  expect_refused lego-wrong-hmac 60 "the external account binding does not verify" \
    lego "${lg[@]}" --eab --kid "$lego_kid" --hmac "$wrong" run
  expect_ok lego-eab 60 lego "${lg[@]}" --eab --kid "$lego_kid" --hmac "$lego_hmac" run
  verify_leaf "$scratch/lego/certificates/app.test.crt" app.test

  local cb=(--config-dir "$scratch/certbot/config" --work-dir "$scratch/certbot/work"
            --logs-dir "$scratch/certbot/logs" --non-interactive --server "$directory" --standalone -d app.test
            --register-unsafely-without-email --agree-tos)
  expect_refused certbot-without-eab 90 "Server requires external account binding" certbot certonly "${cb[@]}"
  # One key binds one account: lego's key is taken. (-vv: see test_certbot.)
  expect_refused certbot-taken-key 90 "is bound to an account already" \
    certbot -vv certonly "${cb[@]}" --eab-kid "$lego_kid" --eab-hmac-key "$lego_hmac"
  expect_ok certbot-eab 90 certbot certonly "${cb[@]}" --eab-kid "$certbot_kid" --eab-hmac-key "$certbot_hmac"
  verify_leaf "$scratch/certbot/config/live/app.test/cert.pem" app.test
  expect_ok eab-list 30 "$devcert" acme eab list
  [[ $(grep -c "bound to account" "$scratch/eab-list.out") -eq 2 ]] || fail "eab list shows 2 bound keys" "$scratch/eab-list.out"
  ok "both keys are bound"
}

init_ca
"test_$client"
if [[ "$(defaults_state)" != "$defaults_before" ]]; then
  diff <(echo "$defaults_before") <(defaults_state) >&2 || true
  fail "a client wrote outside $scratch (above: what changed in the default places)"
fi
ok "nothing changed in ${defaults[*]}"
echo "the $client checks passed"
