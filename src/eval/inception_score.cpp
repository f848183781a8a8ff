// Inception Score over splits.
#include "gan/eval/inception_score.h"

#include <cmath>

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {

InceptionScore inception_score(const torch::Tensor& probabilities,
                               int64_t splits) {
  const auto p = probabilities.to(torch::kCPU, torch::kFloat64);
  if (p.dim() != 2 || p.size(0) < splits || splits < 1) {
    throw Error(fmt::format(
        "Inception Score: expected [N, K] probabilities with N >= {} splits, "
        "got {}",
        splits, c10::str(p.sizes())));
  }
  constexpr double kTiny = 1e-12;  // log(0) guard
  std::vector<double> scores;
  const int64_t n = p.size(0);
  for (int64_t s = 0; s < splits; ++s) {
    const auto part = p.slice(0, s * n / splits, (s + 1) * n / splits);
    const auto marginal = part.mean(0, /*keepdim=*/true);
    const auto kl = (part * ((part + kTiny).log() - (marginal + kTiny).log()))
                        .sum(1)
                        .mean();
    scores.push_back(std::exp(kl.item<double>()));
  }
  InceptionScore result;
  for (double s : scores) result.mean += s / splits;
  for (double s : scores) {
    result.std += (s - result.mean) * (s - result.mean) / splits;
  }
  result.std = std::sqrt(result.std);
  return result;
}

}  // namespace gan::eval
