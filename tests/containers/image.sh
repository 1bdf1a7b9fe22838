#!/usr/bin/env bash
# ctest fixture: the Debian 12 image the container tests run, made on this machine
# (mmdebstrap's minbase with ca-certificates, curl and python3, imported into Podman). Made once
# and kept in Podman's image store, so every later test of the CI job, and later runs, reuse it.
# No Podman or mmdebstrap: the tests fail with the reason rather than skip (scripts/deps.sh --test
# installs them).
set -euo pipefail
image=${DEVCERT_TEST_IMAGE:-localhost/devcert-test-debian12:1}
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null || { echo "container tests need $tool: scripts/deps.sh --test installs it" >&2; exit 1; }
done
if podman image exists "$image"; then
  echo "reusing $image"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
mmdebstrap --quiet --variant=minbase --include=ca-certificates,curl,python3 bookworm "$tmp/rootfs.tar"
podman import --quiet "$tmp/rootfs.tar" "$image" >/dev/null
echo "made $image in $((SECONDS - start)) s"
