#!/usr/bin/env bash
# Compiles every Windows-only source (src/**/*-windows.cpp) with Debian's mingw-w64 cross
# compiler, so code that only a Windows build would see is at least type-checked here.
# OpenSSL's headers come from the host after mingw's own (-idirafter): only declarations are
# needed, nothing is linked. Usage: windows_sources_compile.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: windows_sources_compile.sh SOURCE_DIR}
cxx=x86_64-w64-mingw32-g++-posix
if ! command -v "$cxx" >/dev/null; then
  echo "$cxx is missing: apt-get install g++-mingw-w64-x86-64-posix" >&2
  exit 77  # ctest SKIP_RETURN_CODE
fi
mapfile -t files < <(find "$src/src" -name '*-windows.cpp' | sort)
((${#files[@]})) || { echo "no *-windows.cpp under $src/src" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in "${files[@]}"; do
  "$cxx" -std=c++20 -Wall -Wextra -Werror -I"$src/src" -idirafter /usr/include \
    -idirafter /usr/include/x86_64-linux-gnu -c "$f" -o "$out/$(basename "$f").o"
  echo "ok: ${f#$src/}"
done
