#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs what is missing
# (python3-torch, Google Benchmark), builds gan's runner in build/ and
# prints gan against PyTorch on the same nets. Options go to compare.py
# (--rounds, --seconds, --threads, --cases, --json). Run it on a quiet
# machine: other load skews both sides, OpenMP's spinning threads most.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
exec /usr/bin/python3 bench/compare.py "$@"
