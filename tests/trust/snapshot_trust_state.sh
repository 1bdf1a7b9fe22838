#!/usr/bin/env bash
# Prints one line per entry under each given path: type, path, symlink target, and SHA-256 of
# the content. Two runs print the same text exactly when the trees are byte-identical
# (timestamps aside). A missing path prints "absent PATH".
set -euo pipefail
for root in "$@"; do
  if [[ ! -e "$root" && ! -L "$root" ]]; then
    echo "absent $root"
    continue
  fi
  find "$root" -printf '%y %p %l\n' | LC_ALL=C sort
  find "$root" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
done
