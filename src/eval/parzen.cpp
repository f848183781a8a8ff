// Parzen-window log-likelihood with blocked distances and log-sum-exp.
#include "gan/eval/parzen.h"

#include <cmath>

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {

std::vector<double> default_parzen_sigmas() {
  std::vector<double> sigmas;
  constexpr int kCount = 10;
  for (int i = 0; i < kCount; ++i) {
    sigmas.push_back(std::pow(10.0, -1.0 + static_cast<double>(i) / (kCount - 1)));
  }
  return sigmas;
}

torch::Tensor parzen_log_likelihood(const torch::Tensor& centres,
                                    const torch::Tensor& points,
                                    const std::vector<double>& sigmas,
                                    int64_t block) {
  torch::NoGradGuard no_grad;
  const int64_t dim = centres.numel() / std::max<int64_t>(centres.size(0), 1);
  if (centres.size(0) == 0 || points.size(0) == 0 ||
      points.numel() / points.size(0) != dim) {
    throw Error(fmt::format(
        "Parzen window: {} centres of dimension {} and {} points of "
        "dimension {}; expected non-empty sets of equal dimension",
        centres.size(0), dim, points.size(0),
        points.numel() / std::max<int64_t>(points.size(0), 1)));
  }
  const auto mu = centres.reshape({centres.size(0), dim}).to(torch::kFloat64);
  const auto x = points.reshape({points.size(0), dim}).to(torch::kFloat64);
  const double dims = static_cast<double>(mu.size(1));
  const double log_count = std::log(static_cast<double>(mu.size(0)));
  const auto mu_sq = mu.square().sum(1);  // [S]

  auto out = torch::empty({static_cast<int64_t>(sigmas.size()), x.size(0)},
                          torch::kFloat64);
  for (int64_t begin = 0; begin < x.size(0); begin += block) {
    const auto xb = x.slice(0, begin, begin + block);
    // |x - mu|^2 = |x|^2 + |mu|^2 - 2 x.mu, clamped against rounding below 0.
    const auto sq = (xb.square().sum(1, /*keepdim=*/true) + mu_sq -
                     2.0 * xb.matmul(mu.t()))
                        .clamp_min_(0.0);
    for (size_t i = 0; i < sigmas.size(); ++i) {
      const double s = sigmas[i];
      const auto ll = torch::logsumexp(sq * (-0.5 / (s * s)), /*dim=*/1) -
                      log_count - dims * std::log(s * std::sqrt(2.0 * M_PI));
      out[static_cast<int64_t>(i)].slice(0, begin, begin + xb.size(0)).copy_(ll);
    }
  }
  return out;
}

ParzenResult parzen_evaluate(const torch::Tensor& centres,
                             const torch::Tensor& validation,
                             const torch::Tensor& test,
                             const std::vector<double>& sigmas) {
  if (sigmas.empty()) throw Error("Parzen window: no candidate widths");
  ParzenResult result;
  result.sigmas = sigmas;
  result.num_centres = centres.size(0);
  result.num_test = test.size(0);

  // Validation picks sigma; the test set is scored once, with that sigma.
  const auto valid_ll = parzen_log_likelihood(centres, validation, sigmas);
  const auto means = valid_ll.mean(1);
  for (size_t i = 0; i < sigmas.size(); ++i) {
    result.validation_scores.push_back(
        means[static_cast<int64_t>(i)].item<double>());
  }
  const auto best = means.argmax().item<int64_t>();
  result.sigma = sigmas[static_cast<size_t>(best)];

  const auto test_ll = parzen_log_likelihood(centres, test, {result.sigma})[0];
  result.log_likelihood = test_ll.mean().item<double>();
  // numpy's std (population, ddof = 0), as the paper's script computes it.
  result.std_error =
      test_ll.std(/*unbiased=*/false).item<double>() /
      std::sqrt(static_cast<double>(test_ll.size(0)));
  return result;
}

}  // namespace gan::eval
