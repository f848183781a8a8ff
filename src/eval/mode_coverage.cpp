// Counting samples per mode.
#include "gan/eval/mode_coverage.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {

ModeCoverage mode_coverage(const torch::Tensor& samples,
                           const torch::Tensor& means, double std,
                           int64_t min_count) {
  if (samples.dim() != 2 || means.dim() != 2 ||
      samples.size(1) != means.size(1) || samples.size(0) == 0) {
    throw Error(fmt::format(
        "mode coverage: expected samples [N, D] and modes [K, D] of equal D "
        "with N > 0, got {} and {} dimensions",
        samples.dim() == 2 ? samples.size(1) : -1,
        means.dim() == 2 ? means.size(1) : -1));
  }
  torch::NoGradGuard no_grad;
  const auto x = samples.to(torch::kFloat64);
  const auto mu = means.to(torch::kFloat64);
  const auto [distance, nearest] = torch::cdist(x, mu).min(/*dim=*/1);
  const auto good = distance <= 3.0 * std;

  ModeCoverage result;
  result.modes = mu.size(0);
  const auto counts =
      torch::bincount(nearest.masked_select(good), {}, result.modes);
  result.counts.assign(counts.data_ptr<int64_t>(),
                       counts.data_ptr<int64_t>() + result.modes);
  const int64_t total = counts.sum().item<int64_t>();
  result.high_quality = static_cast<double>(total) / x.size(0);
  result.modes_captured = (counts >= min_count).sum().item<int64_t>();

  if (total == 0) {
    result.reverse_kl = std::numeric_limits<double>::infinity();
    return result;
  }
  for (int64_t c : result.counts) {
    if (c == 0) continue;
    const double q = static_cast<double>(c) / total;
    result.reverse_kl += q * std::log(q * result.modes);
  }
  return result;
}

}  // namespace gan::eval
