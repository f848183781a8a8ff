// Streaming Gaussian statistics and the Fréchet distance.
#include "gan/eval/fid.h"

#include <fmt/format.h>
#include <torch/linalg.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

// Symmetric square root of a symmetric positive semi-definite matrix.
torch::Tensor sqrt_psd(const torch::Tensor& m) {
  const auto [values, vectors] = torch::linalg::eigh(m, "L");
  return (vectors * values.clamp_min(0).sqrt().unsqueeze(0)).matmul(vectors.t());
}

}  // namespace

void GaussianStats::add(const torch::Tensor& features) {
  const auto x = features.to(torch::kCPU, torch::kFloat64);
  if (x.dim() != 2) {
    throw Error(fmt::format("feature statistics: expected [N, F], got {}",
                            c10::str(x.sizes())));
  }
  if (!sum_.defined()) {
    sum_ = torch::zeros({x.size(1)}, torch::kFloat64);
    outer_sum_ = torch::zeros({x.size(1), x.size(1)}, torch::kFloat64);
  }
  if (x.size(1) != sum_.size(0)) {
    throw Error(fmt::format("feature statistics: {} features after {}",
                            x.size(1), sum_.size(0)));
  }
  sum_ += x.sum(0);
  outer_sum_ += x.t().matmul(x);
  count_ += x.size(0);
}

void GaussianStats::reset() {
  count_ = 0;
  sum_ = torch::Tensor();
  outer_sum_ = torch::Tensor();
}

torch::Tensor GaussianStats::mean() const {
  if (count_ < 2) {
    throw Error(fmt::format("feature statistics of {} examples; need two or "
                            "more",
                            count_));
  }
  return sum_ / static_cast<double>(count_);
}

torch::Tensor GaussianStats::covariance() const {
  const auto mu = mean();
  const double n = static_cast<double>(count_);
  return (outer_sum_ - n * torch::outer(mu, mu)) / (n - 1);
}

double frechet_distance(const torch::Tensor& mean1, const torch::Tensor& cov1,
                        const torch::Tensor& mean2,
                        const torch::Tensor& cov2) {
  const auto m1 = mean1.to(torch::kFloat64), m2 = mean2.to(torch::kFloat64);
  const auto s1 = cov1.to(torch::kFloat64), s2 = cov2.to(torch::kFloat64);
  if (!m1.sizes().equals(m2.sizes()) || !s1.sizes().equals(s2.sizes())) {
    throw Error("Fréchet distance: the two sets have different dimensions");
  }
  const auto root1 = sqrt_psd(s1);
  const auto middle = root1.matmul(s2).matmul(root1);
  const auto eigen = torch::linalg::eigvalsh(0.5 * (middle + middle.t()), "L");
  const double trace_sqrt = eigen.clamp_min(0).sqrt().sum().item<double>();
  return (m1 - m2).square().sum().item<double>() + s1.trace().item<double>() +
         s2.trace().item<double>() - 2.0 * trace_sqrt;
}

double frechet_distance(const GaussianStats& a, const GaussianStats& b) {
  return frechet_distance(a.mean(), a.covariance(), b.mean(), b.covariance());
}

}  // namespace gan::eval
