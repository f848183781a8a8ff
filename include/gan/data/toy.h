// Toy distributions for fast checks whose answer is known: mixtures of
// isotropic Gaussians in one or two dimensions. Shapes: K modes, D
// dimensions (1 or 2), N points.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::data {

enum class ToyKind {
  kRing,        // 8 Gaussians on a circle of radius 2, std 0.02
  kGrid,        // 25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05
  kGaussian1d,  // one Gaussian N(4, 0.5^2), as in the paper's Figure 1
};

struct ToyMixture {
  torch::Tensor means;  // float [K, D]
  double std = 0;       // of every mode, in every dimension
};

// The mixture behind `kind`; modes are equally likely.
ToyMixture toy_mixture(ToyKind kind);

// `n` points of the mixture drawn with `seed`: float [N, D], and the index
// of each point's mode, int64 [N].
std::pair<torch::Tensor, torch::Tensor> sample_toy(ToyKind kind, int64_t n,
                                                   uint64_t seed);

}  // namespace gan::data
