#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test (GoogleTest through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's end and the seconds since the start, so a CI log shows where its time went.
phase() { echo "test.sh: $1 done at ${SECONDS} s"; }
scripts/deps.sh --test
phase "packages"
scripts/build.sh
phase "build"
# The browser test drives Debian's Chromium through playwright-core, pinned in the lock file.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
# Twice as many tests as cores: much of the suite waits (browsers and JVMs starting, clients
# meeting timeouts in private namespaces, ACME clients polling), not computes; the whole suite
# has passed on this 2-core machine with other builds running beside it. The soak still runs alone.
scripts/seed_test_costs.sh build
(cd build && ctest --output-on-failure -j"$(($(nproc) * 2))" --timeout 900)
phase "tests"
# Not a ctest test: it installs and removes the .deb on this machine, alone.
scripts/package_test.sh
phase "package test"
# Hardening: the suite again, built with ASan + UBSan; any report fails the run
# (scripts/sanitize.sh says what it leaves out and why).
scripts/sanitize.sh
phase "sanitized build and tests"
# Hardening: each libFuzzer target for FUZZ_SECONDS from its committed corpus, one per core at a
# time (the corpus alone is replayed in ctest too, FuzzCorpus.*).
FUZZ_SECONDS=${FUZZ_SECONDS:-6} scripts/fuzz.sh names certificate csr http_response url websocket_frame config private_key java_keystore jws
phase "fuzzing"
