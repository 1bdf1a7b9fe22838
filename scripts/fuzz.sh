#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang into ./build-fuzz (or $FUZZ_BUILD_DIR) and
# runs each for FUZZ_SECONDS (default 60), starting from its committed corpus tests/fuzz/TARGET/.
# New inputs go to build-fuzz/corpus/TARGET/ (not committed); a crash or broken invariant is saved
# under build-fuzz/crashes/TARGET/ and fails the run.   Usage: scripts/fuzz.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with line tables, as libFuzzer's documentation builds its targets: a crash's stack still
# names file and line, and the build costs less than -O2 -g. A unity build, like the sanitized one.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_CXX_COMPILER=clang++ -DDEVCERT_BUILD_TESTS=OFF -DDEVCERT_STATIC_DEPS=OFF \
  "${launcher[@]}" >/dev/null
cmake --build "$BUILD_DIR" --target fuzz_targets -j"$(nproc)"

targets=("$@")
((${#targets[@]})) || targets=(names certificate csr http_response url websocket_frame config private_key java_keystore jws)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# One target per core at a time: each run is single-threaded, and CI waits for all of them.
jobs=${FUZZ_JOBS:-$(nproc)}
run_target() {
  local t=$1 log="$BUILD_DIR/fuzz_$1.log"
  mkdir -p "$BUILD_DIR/corpus/$t" "$BUILD_DIR/crashes/$t"
  # -timeout: an input that takes 10 s is a hang worth reporting; -max_len fits a certificate chain.
  "$BUILD_DIR/tests/fuzz/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/crashes/$t/" \
    "$BUILD_DIR/corpus/$t" "tests/fuzz/$t" >"$log" 2>&1
}
pids=() names=()
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_target "$t" &
  pids+=($!) names+=("$t")
done
failed=0
for i in "${!pids[@]}"; do
  t=${names[$i]} log="$BUILD_DIR/fuzz_${names[$i]}.log"
  if wait "${pids[$i]}"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $t: ok, ${runs:-?} executions in ${FUZZ_SECONDS} s"
  else
    echo "fuzz $t: FAILED; the input is in $BUILD_DIR/crashes/$t/, the log in $log:"
    grep -v '^#' "$log" | tail -40
    failed=1
  fi
done
exit "$failed"
