// Unbiased MMD^2 with the cubic polynomial kernel over random subsets.
#include "gan/eval/kid.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {

double mmd2_unbiased(const torch::Tensor& x, const torch::Tensor& y) {
  const double f = static_cast<double>(x.size(1));
  const double m = static_cast<double>(x.size(0));
  auto kernel = [f](const torch::Tensor& a, const torch::Tensor& b) {
    return (a.matmul(b.t()) / f + 1).pow(3);
  };
  const auto kxx = kernel(x, x), kyy = kernel(y, y), kxy = kernel(x, y);
  // Diagonal terms k(x_i, x_i) are left out of the within-set sums.
  const double within = (kxx.sum() - kxx.diagonal().sum() + kyy.sum() -
                         kyy.diagonal().sum())
                            .item<double>() /
                        (m * (m - 1));
  return within - 2.0 * kxy.sum().item<double>() / (m * m);
}

KidResult kernel_inception_distance(const torch::Tensor& a,
                                    const torch::Tensor& b, int64_t subsets,
                                    int64_t subset_size, uint64_t seed) {
  const auto x = a.to(torch::kCPU, torch::kFloat64);
  const auto y = b.to(torch::kCPU, torch::kFloat64);
  if (x.dim() != 2 || y.dim() != 2 || x.size(1) != y.size(1) ||
      x.size(0) < 2 || y.size(0) < 2) {
    throw Error(fmt::format(
        "KID: expected two sets [N, F] and [M, F] of two or more examples, "
        "got {} and {}",
        c10::str(x.sizes()), c10::str(y.sizes())));
  }
  const int64_t m = std::min({subset_size, x.size(0), y.size(0)});
  auto generator = at::detail::createCPUGenerator(seed);
  const auto options = torch::TensorOptions(torch::kInt64);

  std::vector<double> values;
  for (int64_t s = 0; s < subsets; ++s) {
    const auto ix = torch::randperm(x.size(0), generator, options).slice(0, 0, m);
    const auto iy = torch::randperm(y.size(0), generator, options).slice(0, 0, m);
    values.push_back(mmd2_unbiased(x.index_select(0, ix), y.index_select(0, iy)));
  }
  KidResult result;
  result.subsets = subsets;
  result.subset_size = m;
  for (double v : values) result.mean += v / values.size();
  for (double v : values) {
    result.std += (v - result.mean) * (v - result.mean) / values.size();
  }
  result.std = std::sqrt(result.std);
  return result;
}

}  // namespace gan::eval
