#!/usr/bin/env bash
# The .deb test (issue 6), run by scripts/test.sh after ctest and never by ctest: it installs a
# package on this machine. Builds the .deb with cpack into a temporary directory, installs it
# with dpkg -i, checks that the installed devcert runs and that man finds its page, then
# removes the package again, also when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
[[ -f "$BUILD_DIR/CPackConfig.cmake" ]] || scripts/build.sh
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"

if dpkg-query -W -f='${Status}' devcert 2>/dev/null | grep -q "ok installed" || [[ -e /usr/bin/devcert ]]; then
  echo "package_test: devcert is already installed on this machine; not touching it" >&2
  exit 1
fi

out=$(mktemp -d)
installed=0
cleanup() {
  if ((installed)); then $SUDO dpkg -r devcert >/dev/null; fi
  rm -rf "$out"
}
trap cleanup EXIT

(cd "$BUILD_DIR" && cpack -G DEB -B "$out" >/dev/null)
debs=("$out"/devcert_*.deb)
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package_test: $(basename "$deb"): Depends: $depends"
# dpkg-shlibdeps read the binary: at least the C library (more without DEVCERT_STATIC_DEPS).
[[ "$depends" == *libc6* ]] || { echo "Depends lacks libc6: was dpkg-shlibdeps run?" >&2; exit 1; }

installed=1
$SUDO dpkg -i "$deb" >/dev/null
[[ "$(command -v devcert)" == /usr/bin/devcert ]] || { echo "devcert is not /usr/bin/devcert" >&2; exit 1; }
got=$(devcert --version)
[[ "$got" == "devcert $version" ]] || { echo "devcert --version: '$got', want 'devcert $version'" >&2; exit 1; }
page=$(man -w devcert)
[[ "$page" == /usr/share/man/man1/devcert.1* ]] || { echo "man -w devcert: '$page'" >&2; exit 1; }
man -P cat devcert 2>/dev/null | grep -q "EXIT STATUS" || { echo "man devcert does not render" >&2; exit 1; }
schemas=/usr/share/doc/devcert/json
[[ -f $schemas/common.schema.json && -f $schemas/issue.schema.json ]] || { echo "no JSON schemas in $schemas" >&2; exit 1; }

$SUDO dpkg -r devcert >/dev/null
installed=0
[[ ! -e /usr/bin/devcert && ! -e "$page" && ! -e $schemas ]] || { echo "dpkg -r left files behind" >&2; exit 1; }
echo "package_test: ok ($got, $page)"
