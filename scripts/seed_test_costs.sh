#!/usr/bin/env bash
# A new build directory has no record of how long each test takes, and CTest then starts the
# tests in the order they were declared: a minute-long test that happens to start last makes the
# run a minute longer, with one core idle. tests/ctest_costs.txt holds the seconds each slow test
# took in a full run on the 2-core CI machine; copied into the build as CTest's cost data, it
# makes CTest start the longest first. A build that has run its tests keeps its own record.
# Usage: scripts/seed_test_costs.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
costs="$1/Testing/Temporary/CTestCostData.txt"
[[ -f $costs ]] && exit 0
mkdir -p "$(dirname "$costs")"
cp tests/ctest_costs.txt "$costs"
