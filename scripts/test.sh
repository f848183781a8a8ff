#!/usr/bin/env bash
# Builds gan with its tests on a fresh Debian machine (installing what is
# missing) and runs the whole suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh -DGAN_BUILD_TESTS=ON
cd build
ctest --output-on-failure -j2 "$@"
