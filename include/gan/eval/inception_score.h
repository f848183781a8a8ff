// The Inception Score (Salimans et al., 2016):
// exp(E_x KL(p(y|x) || p(y))) over `splits` equal parts of the samples,
// reported as mean and standard deviation over the parts, as in its
// original code. Shapes: N samples, K classes.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::eval {

struct InceptionScore {
  double mean = 0;
  double std = 0;
};

// probabilities: [N, K], rows summing to 1. Throws gan::Error when N <
// splits.
InceptionScore inception_score(const torch::Tensor& probabilities,
                               int64_t splits = 10);

}  // namespace gan::eval
