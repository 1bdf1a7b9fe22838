#!/usr/bin/env bash
# The main job: install what is needed, build, then a fresh CA, a leaf for localhost, and the
# end-to-end check. Uses a throw-away CAROOT under build/demo so it never touches yours.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
demo=build/demo
rm -rf "$demo" && mkdir -p "$demo"
export DEVCERT_CAROOT="$PWD/$demo/caroot"
build/devcert init
(cd "$demo" && ../devcert issue localhost 127.0.0.1 ::1)
if build/devcert --help 2>/dev/null | grep -q verify-server; then
  build/devcert verify-server
fi
