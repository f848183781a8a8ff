#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer and
# UndefinedBehaviorSanitizer; see fuzz/CMakeLists.txt) in build-fuzz/ and
# runs each for a while:
#
#   scripts/fuzz.sh                 every target, 10 seconds each
#   scripts/fuzz.sh 300             every target, 5 minutes each
#   scripts/fuzz.sh 300 npy idx     only these
#
# Targets: idx cifar10 image npy safetensors config checkpoint. Corpora grow
# in build-fuzz/corpus/TARGET (seeded from gan's own writers and configs/);
# an input that crashes a target is saved in build-fuzz/findings/TARGET and
# the script exits 1. A summary line per target gives executions and
# coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
if (( ${#targets[@]} == 0 )); then
  targets=(idx cifar10 image npy safetensors config checkpoint)
fi

scripts/install-deps.sh --fuzz
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release \
  -DGAN_BUILD_FUZZERS=ON -DGAN_BUILD_CLI=OFF -DGAN_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 --target make_seeds \
  "${targets[@]/%/_fuzzer}"

# libtorch is not instrumented: its one-time allocations at exit are not
# leaks of gan's, so leak checking is off; every other ASan check stays on.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
# Undefined behaviour aborts, so libFuzzer saves the input that hit it.
export UBSAN_OPTIONS=abort_on_error=1:print_stacktrace=1
seeds=build-fuzz/seeds
rm -rf "$seeds"
build-fuzz/fuzz/make_seeds "$seeds"
mkdir -p "$seeds/config"
cp configs/*.toml "$seeds/config/"

failed=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  findings=build-fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  log=build-fuzz/$t.log
  # One process, inputs up to 64 KiB, 2 GiB of memory, 10 s per input;
  # comparisons guide the mutations (value profile).
  if build-fuzz/fuzz/${t}_fuzzer "$corpus" "$seeds/$t" \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
      -use_value_profile=1 \
      -timeout=10 -artifact_prefix="$findings/" -print_final_stats=1 \
      >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log, inputs in $findings/)"
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
         grep -o '[0-9]*$' || echo '?')
  # Coverage comes as libFuzzer's features (ft): counters of gan's blocks
  # and, with the value profile, distinct comparisons.
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || echo '?')
  echo "fuzz $t: $result, $runs executions, $ft features," \
       "corpus $(ls "$corpus" | wc -l) inputs"
done
exit $failed
