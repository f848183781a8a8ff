// Gaussian mixtures in one and two dimensions.
#include "gan/data/toy.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

namespace gan::data {

ToyMixture toy_mixture(ToyKind kind) {
  switch (kind) {
    case ToyKind::kRing: {
      constexpr int kModes = 8;
      constexpr double kRadius = 2.0;
      auto angle = torch::arange(kModes, torch::kFloat64) * (2 * M_PI / kModes);
      auto means = torch::stack({torch::cos(angle), torch::sin(angle)}, 1) *
                   kRadius;
      return {means.to(torch::kFloat32), 0.02};
    }
    case ToyKind::kGrid: {
      auto axis = torch::arange(-4, 5, 2, torch::kFloat32);  // -4 .. 4
      auto grid = torch::meshgrid({axis, axis}, "ij");
      return {torch::stack({grid[0].flatten(), grid[1].flatten()}, 1), 0.05};
    }
    case ToyKind::kGaussian1d:
      return {torch::full({1, 1}, 4.0f), 0.5};
  }
  return {};
}

std::pair<torch::Tensor, torch::Tensor> sample_toy(ToyKind kind, int64_t n,
                                                   uint64_t seed) {
  const auto mixture = toy_mixture(kind);
  auto generator = at::detail::createCPUGenerator(seed);
  const auto modes = torch::randint(mixture.means.size(0), {n}, generator,
                                    torch::TensorOptions(torch::kInt64));
  const auto noise =
      torch::randn({n, mixture.means.size(1)}, generator,
                   torch::TensorOptions(torch::kFloat32)) *
      mixture.std;
  return {mixture.means.index_select(0, modes) + noise, modes};
}

}  // namespace gan::data
