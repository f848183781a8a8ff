// Process-wide settings that every entry point makes once: how many threads
// libtorch and BLAS use, which BLAS is loaded, and which device runs the nets.
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace gan {

// Sets libtorch's intra-op thread count (which OpenMP-built OpenBLAS shares).
// `requested` <= 0 means every core this process may run on. Returns the
// count in use. Call it before the first tensor operation: libtorch
// otherwise starts with one thread on some machines, and the very first
// matrix product runs with OpenBLAS's own count, which rounds differently
// from later ones.
int configure_threads(int requested);

// Number of cores this process may run on (its CPU affinity), at least 1.
int available_cores();

// What BLAS libtorch calls for matrix products: "OpenBLAS ..." with its
// build configuration, "MKL", or "reference" when neither is loaded. The
// reference BLAS is about 20x slower for training; callers should warn.
std::string blas_backend();

// True when blas_backend() names an optimised BLAS.
bool blas_is_optimised();

// Parses "cpu", "cuda" or "cuda:N". Throws gan::Error for other names and
// for a CUDA device when this libtorch build has no CUDA or no such GPU.
c10::Device parse_device(const std::string& name);

}  // namespace gan
