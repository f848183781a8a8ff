#!/usr/bin/env bash
# Installs the Debian packages gan needs, and only those that are missing.
#
#   scripts/install-deps.sh          what building and training need
#   scripts/install-deps.sh --test   also what the test suite needs
#                                    (chromium renders the HTML report)
#   scripts/install-deps.sh --fuzz   also libFuzzer's engine
#
# Runs apt-get as root (or through sudo). libtorch must run on OpenBLAS:
# Debian's reference BLAS makes training about 20 times slower, so the
# OpenBLAS (OpenMP) build is installed and selected as the system BLAS.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-openmp
  libstb-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  zlib1g-dev libgloo-dev
  dataset-fashion-mnist
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev
             python3 python3-torch python3-numpy
             chromium)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

if (( ${#missing[@]} )); then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Make sure the BLAS libtorch loads is OpenBLAS, not the reference one.
blas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
if [[ -e "$blas" ]] && command -v update-alternatives >/dev/null; then
  current=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu \
            2>/dev/null || true)
  if [[ "$current" != "$(readlink -f "$blas")" ]]; then
    as_root update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas"
  fi
fi
