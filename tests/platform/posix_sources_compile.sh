#!/usr/bin/env bash
# Compiles every shared POSIX source (src/**/*-posix.cpp, built for Linux and macOS alike) with
# glibc's GNU extensions hidden (_DEFAULT_SOURCE: POSIX and BSD, no _GNU_SOURCE), so a
# Linux-only call (renameat2, pipe2, ...) that a macOS build could not link fails here; such a
# call belongs in a -linux.cpp file with a -darwin.cpp counterpart (util/os_calls.h).
# Usage: posix_sources_compile.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: posix_sources_compile.sh SOURCE_DIR}
cxx=${CXX:-g++}
mapfile -t files < <(find "$src/src" -name '*-posix.cpp' | sort)
((${#files[@]})) || { echo "no *-posix.cpp under $src/src" >&2; exit 1; }
for f in "${files[@]}"; do
  "$cxx" -std=c++20 -Wall -Wextra -Werror -U_GNU_SOURCE -D_DEFAULT_SOURCE \
    -include "$src/tests/platform/libstdcxx_gnu_decls.h" -I"$src/src" -fsyntax-only "$f"
  echo "ok: ${f#$src/}"
done
