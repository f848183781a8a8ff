#!/usr/bin/env bash
# Builds gan and its tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (GAN_SANITIZE) in build-sanitize/ and runs the
# suite there. Undefined behaviour aborts the test that hits it; a memory
# error fails it with ASan's report. Extra arguments go to ctest, e.g.
# scripts/sanitize.sh -R Checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Release -DGAN_SANITIZE=ON \
  -DGAN_BUILD_TESTS=ON >/dev/null
cmake --build build-sanitize -j2

# Leak reports are limited to gan's own: see sanitizers/lsan.supp.
here=$(pwd)/scripts/sanitizers
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1
cd build-sanitize
# The install test builds examples/ against the installed library, without
# the sanitizer flags that a sanitized libgan.a needs at link time: it tests
# packaging, not memory safety, and runs in the normal suite.
ctest --output-on-failure -j2 -E '^Install\.' "$@"
