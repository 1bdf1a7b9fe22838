#!/usr/bin/env bash
# Runs "$@" in a private mount namespace where the Debian system trust store is a private copy:
# /usr/local/share/ca-certificates, /etc/ssl/certs and /etc/ca-certificates.conf are bind-mounted
# over with copies, so the real update-ca-certificates and OpenSSL's default paths work on them
# and nothing reaches the machine's real store. The mounts vanish with the namespace.
# DEVCERT_PRIVATE_JAVA_HOOK=1: instead of no hooks, Debian's Java hook run at once (below).
# DEVCERT_PRIVATE_EXTRA: more files (space separated, e.g. a JDK's cacerts) to replace by copies.
# Exit 77 when a private mount namespace cannot be made here (not root, no unshare).
set -euo pipefail
source "$(dirname "$0")/private_namespace.sh"
reexec_in_private_mount_namespace DEVCERT_PRIVATE_STORE "$0" "$@"
extra_mounts=()
scratch=$(mktemp -d "${TMPDIR:-/tmp}/devcert-store-XXXXXX")
cleanup() {
  for target in ${extra_mounts[@]+"${extra_mounts[@]}"} /etc/ca-certificates/update.d /etc/ca-certificates.conf /etc/ssl/certs \
                /usr/local/share/ca-certificates; do
    umount "$target" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p /usr/local/share/ca-certificates
cp -a /usr/local/share/ca-certificates "$scratch/local"
cp -a /etc/ssl/certs "$scratch/certs"
mount --bind "$scratch/local" /usr/local/share/ca-certificates
mount --bind "$scratch/certs" /etc/ssl/certs
if [[ -f /etc/ca-certificates.conf ]]; then
  cp -a /etc/ca-certificates.conf "$scratch/conf"
  mount --bind "$scratch/conf" /etc/ca-certificates.conf
fi
# Debian's hooks (ca-certificates-java's) queue work in dpkg's trigger state, which is the
# machine's: run with no hooks instead.
if [[ -d /etc/ca-certificates/update.d ]]; then
  mkdir "$scratch/no-hooks"
  jar=/usr/share/ca-certificates-java/ca-certificates-java.jar
  if [[ -n "${DEVCERT_PRIVATE_JAVA_HOOK:-}" && -f "$jar" ]]; then
    # The work ca-certificates-java's trigger does for the +/- lines its hook queues, done at
    # once by the same jar on the (private) /etc/ssl/certs/java/cacerts.
    printf '#!/bin/sh\nexec java -Xmx64m -jar %s -storepass changeit >/dev/null\n' "$jar" \
      >"$scratch/no-hooks/jks-keystore"
    chmod 755 "$scratch/no-hooks/jks-keystore"
  fi
  mount --bind "$scratch/no-hooks" /etc/ca-certificates/update.d
fi
n=0
for file in ${DEVCERT_PRIVATE_EXTRA:-}; do
  real=$(readlink -f "$file")
  [[ -f "$real" ]] || continue
  cp -a "$real" "$scratch/extra-$((++n))"
  mount --bind "$scratch/extra-$n" "$real"
  extra_mounts=("$real" ${extra_mounts[@]+"${extra_mounts[@]}"})
done
"$@"
