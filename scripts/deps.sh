#!/usr/bin/env bash
# Installs every Debian 12 package devcert needs to build (and, with --test, to run its tests).
set -euo pipefail
build_pkgs=(build-essential cmake ninja-build pkg-config git
  libssl-dev libcli11-dev libtomlplusplus-dev libboost1.81-dev nlohmann-json3-dev
  libidn2-dev libpsl-dev libunistring-dev libsqlite3-dev publicsuffix googletest libgtest-dev openssl ca-certificates)
test_pkgs=(groff-base mandoc man-db dpkg-dev file mkcert libnss3-tools python3
  default-jdk-headless util-linux curl gnutls-bin chromium python3-websockets node-ws
  nginx caddy golang-go strace)
# fish: tests/trust/env_exports_test.cpp evaluates `devcert env --shell fish` in the real shell.
test_pkgs+=(fish)
# python3-jsonschema: tests/json/validate.py checks every command's --json output against man/json.
test_pkgs+=(python3-jsonschema)
# python3-acme (certbot's ACME library): the acme_sigkill test's clients and bench/acme_bench.py's;
# pebble: the ACME server bench/acme_bench.py compares devcert acme with.
test_pkgs+=(python3-acme pebble)
# libFuzzer and its sanitizer runtimes, llvm-symbolizer: scripts/fuzz.sh (issue 7).
test_pkgs+=(clang libclang-rt-14-dev llvm)
# firefox-esr: the real Firefox test (tests/trust/firefox_browser_test.cpp) over puppeteer-core.
test_pkgs+=(firefox-esr)
# mingw-w64: type-checks the Windows-only sources (tests/platform/windows_sources_compile.sh).
test_pkgs+=(g++-mingw-w64-x86-64-posix)
# The ACME clients tests/acme/acme_clients.sh runs against devcert acme (Caddy is above);
# iproute2 gives its EAB test an address beyond loopback in a private network namespace.
test_pkgs+=(certbot lego dehydrated acme-tiny iproute2)
pkgs=("${build_pkgs[@]}")
# Podman (with runc, which the sandbox of CI machines allows where crun is refused), mmdebstrap
# for the Debian 12 image the container tests make, uidmap and slirp4netns for Podman itself, and
# python3-yaml to parse the compose fragment (tests/containers/).
test_pkgs+=(podman runc mmdebstrap uidmap slirp4netns python3-yaml)
[[ "${1:-}" == "--test" ]] && pkgs+=("${test_pkgs[@]}")
# npm for the browser test's playwright-core; a Node.js from elsewhere may already bring it.
[[ "${1:-}" == "--test" ]] && ! command -v npm >/dev/null && pkgs+=(nodejs npm)

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
