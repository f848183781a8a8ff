// Mode coverage on toy mixtures (as VEEGAN and PacGAN report it): how many
// of the mixture's modes a generator reaches, how many of its samples are
// of high quality (within 3 standard deviations of the nearest mode), and
// the reverse KL divergence between the high-quality samples' spread over
// the modes and the data's uniform one. Shapes: N samples, K modes, D
// dimensions.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace gan::eval {

struct ModeCoverage {
  int64_t modes = 0;           // K
  int64_t modes_captured = 0;  // modes with >= min_count high-quality samples
  double high_quality = 0;     // share of samples within 3 std of a mode
  // KL(q || uniform) of the high-quality samples' mode histogram q; 0 when
  // they spread evenly, log K when all fall to one mode, +inf when there
  // is no high-quality sample at all.
  double reverse_kl = 0;
  std::vector<int64_t> counts;  // high-quality samples per mode
};

// PacGAN's threshold: a mode with fewer samples than this is lost.
inline constexpr int64_t kModeMinCount = 20;

// Scores `samples` [N, D] against a mixture with modes `means` [K, D] of
// standard deviation `std`. Throws gan::Error when dimensions differ or
// there are no samples.
ModeCoverage mode_coverage(const torch::Tensor& samples,
                           const torch::Tensor& means, double std,
                           int64_t min_count = kModeMinCount);

}  // namespace gan::eval
