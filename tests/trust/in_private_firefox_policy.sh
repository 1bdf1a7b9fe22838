#!/usr/bin/env bash
# Runs "$@" in a private mount namespace where Firefox's policy directory (/etc/firefox, see
# src/trust/firefox_policy.h) is a private scratch copy: bind-mounted over it when the machine
# has one, else /etc is overlaid with a scratch upper layer (a bind mount needs the directory to
# exist, and creating it would touch the real /etc). Nothing written there reaches the machine;
# the mounts vanish with the namespace.
# Exit 77 when a private mount namespace cannot be made here (not root, no unshare).
set -euo pipefail
source "$(dirname "$0")/private_namespace.sh"
reexec_in_private_mount_namespace DEVCERT_PRIVATE_POLICY "$0" "$@"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/devcert-policy-XXXXXX")
mounted=""
cleanup() {
  [[ -n "$mounted" ]] && umount "$mounted" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
if [[ -d /etc/firefox ]]; then
  cp -a /etc/firefox "$scratch/firefox"
  mount --bind "$scratch/firefox" /etc/firefox
  mounted=/etc/firefox
else
  mkdir "$scratch/upper" "$scratch/work"
  mount -t overlay devcert-etc -o "lowerdir=/etc,upperdir=$scratch/upper,workdir=$scratch/work" /etc ||
    { echo "cannot overlay /etc here" >&2; exit 77; }
  mounted=/etc
fi
"$@"
