#!/usr/bin/env bash
# Configures and builds gan in build/ (Release). Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DGAN_BUILD_TESTS=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j2
