#!/usr/bin/env bash
# ctest fixture (issue 3): `save FILE` before the suite, `compare FILE` after it. Fails when the
# machine's real trust stores or anything in the real $HOME changed in between. Trust stores and
# the trust-related parts of $HOME are compared by content; the rest of $HOME (GBs of toolchains
# on a developer's machine) by path, type, size, mode and modification time of every entry,
# which any write changes. Only ccache's directory is left out: compilers running beside the
# suite on a developer's machine write there, never devcert or its tests.
set -euo pipefail
mode=$1 file=$2
here=$(cd "$(dirname "$0")" && pwd)

paths=(/usr/local/share/ca-certificates /etc/ssl/certs /etc/ca-certificates.conf
  /etc/pki/ca-trust/source/anchors /etc/ca-certificates/trust-source/anchors /etc/pki/trust/anchors
  /var/lib/ca-certificates-java)
if keytool=$(command -v keytool); then
  jdk=$(dirname "$(dirname "$(readlink -f "$keytool")")")
  paths+=("$(readlink -f "$jdk/lib/security/cacerts")")
fi
[[ -n "${JAVA_HOME:-}" ]] && paths+=("$(readlink -f "$JAVA_HOME/lib/security/cacerts")")
home=${HOME:?}
paths+=("$home/.pki" "$home/.local/share/pki" "$home/.mozilla" "$home/snap/chromium"
  "$home/snap/firefox" "$home/.var/app/org.mozilla.firefox" "$home/.config/chromium"
  "$home/.cache/chromium" "$home/.java")

snapshot() {
  "$here/snapshot_trust_state.sh" "${paths[@]}"
  echo "HOME entries (path, type, size, mode, mtime):"
  find "$home" -xdev -path "$home/.cache/ccache" -prune -o \
    -printf '%P\t%y\t%s\t%m\t%T@\n' | LC_ALL=C sort
}

case "$mode" in
  save) snapshot >"$file" ;;
  compare)
    if diff -u "$file" <(snapshot) >"$file.diff"; then
      echo "real trust stores and \$HOME unchanged"
    else
      echo "error: the test suite changed the machine's real trust stores or \$HOME:" >&2
      head -50 "$file.diff" >&2
      exit 1
    fi ;;
  *) echo "usage: $0 save|compare FILE" >&2; exit 2 ;;
esac
