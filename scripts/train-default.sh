#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is missing, builds gan
# and trains the paper's GAN on Fashion-MNIST for a few minutes on 2 cores.
# Any extra arguments go to `gan train` (e.g. --epochs 25).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DGAN_BUILD_TESTS=OFF
out=runs/default-$(date +%Y%m%d-%H%M%S)
# Five epochs through --set, so that a caller's --epochs (which gan applies
# after --set) replaces it instead of clashing with it.
build/gan train --config configs/paper-fashion-mnist.toml \
  --set train.epochs=5 --out "$out" "$@"
echo "sample grids: $out/samples/ (newest: $(ls "$out"/samples/*.png | tail -n 1))"
