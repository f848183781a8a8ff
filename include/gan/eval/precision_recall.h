// Improved precision and recall (Kynkäänniemi et al., 2019): each set's
// manifold is the union of balls around its points with radius the
// distance to the k-th nearest neighbour within the set. Precision is the
// share of generated points inside the real manifold (quality), recall the
// share of real points inside the generated one (coverage). Shapes: N real,
// M generated, F features.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::eval {

struct PrecisionRecall {
  double precision = 0;
  double recall = 0;
};

// real: [N, F], fake: [M, F]; distances computed in blocks of `block` rows.
// Throws gan::Error when the dimensions differ or a set has k or fewer
// points.
PrecisionRecall precision_recall(const torch::Tensor& real,
                                 const torch::Tensor& fake, int64_t k = 3,
                                 int64_t block = 2048);

// The distance from each point of `points` [N, F] to its k-th nearest
// other point in the same set: float64 [N].
torch::Tensor knn_radii(const torch::Tensor& points, int64_t k,
                        int64_t block = 2048);

}  // namespace gan::eval
