// Kernel Inception Distance (Bińkowski et al., 2018): the unbiased estimate
// of the squared maximum mean discrepancy between two feature sets under
// the cubic polynomial kernel k(x, y) = (x.y / F + 1)^3, averaged over
// random subsets as torch-fidelity and clean-fid do. Shapes: N, M examples,
// F features.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::eval {

struct KidResult {
  double mean = 0;
  double std = 0;  // over the subsets (population std, as torch-fidelity)
  int64_t subsets = 0;
  int64_t subset_size = 0;
};

// a: [N, F], b: [M, F]. Draws `subsets` pairs of subsets of
// min(subset_size, N, M) examples each (without replacement within a
// subset) from a generator seeded with `seed`. Throws gan::Error when the
// dimensions differ or a set has fewer than two examples.
KidResult kernel_inception_distance(const torch::Tensor& a,
                                    const torch::Tensor& b,
                                    int64_t subsets = 100,
                                    int64_t subset_size = 1000,
                                    uint64_t seed = 0);

// The unbiased MMD^2 of two equal-size sets under the cubic kernel.
double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y);

}  // namespace gan::eval
