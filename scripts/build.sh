#!/usr/bin/env bash
# Configures and builds devcert into ./build (or $BUILD_DIR). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# -O2 without debug info: the Boost.Beast sources compile in a third less time than with -g
# (wss/server.cpp: 82 s instead of 125 s of CPU), which keeps CI's clean builds short.
# A unity build (batches of sources as one translation unit) does the headers and templates that
# every source shares once a batch: a clean build took 431 s instead of 640 s on 2 cores. Pass
# -DCMAKE_UNITY_BUILD=OFF for quicker rebuilds of one file while editing.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_UNITY_BUILD=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
