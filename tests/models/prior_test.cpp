#include "gan/models/prior.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace gan::models {
namespace {

TEST(PriorTest, UniformIsBoundedWithUnitVariance) {
  torch::manual_seed(0);
  const auto z = sample_prior(PriorKind::kUniform, 100000, 4, torch::kCPU);
  EXPECT_EQ(z.sizes(), (std::vector<int64_t>{100000, 4}));
  EXPECT_GE(z.min().item<double>(), -std::sqrt(3.0));
  EXPECT_LE(z.max().item<double>(), std::sqrt(3.0));
  EXPECT_NEAR(z.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(z.var().item<double>(), 1.0, 0.01);
}

TEST(PriorTest, NormalHasZeroMeanAndUnitVariance) {
  torch::manual_seed(0);
  const auto z = sample_prior(PriorKind::kNormal, 100000, 4, torch::kCPU);
  EXPECT_NEAR(z.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(z.var().item<double>(), 1.0, 0.01);
  EXPECT_GT(z.abs().max().item<double>(), std::sqrt(3.0));
}

TEST(PriorTest, AnExplicitGeneratorMakesDrawsRepeatable) {
  auto a = at::detail::createCPUGenerator(42);
  auto b = at::detail::createCPUGenerator(42);
  EXPECT_TRUE(torch::equal(
      sample_prior(PriorKind::kUniform, 5, 3, torch::kCPU, a),
      sample_prior(PriorKind::kUniform, 5, 3, torch::kCPU, b)));
}

}  // namespace
}  // namespace gan::models
