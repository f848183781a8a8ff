#include "gan/eval/kid.h"

#include <cmath>

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(KidTest, UnbiasedMmdMatchesTheDirectSums) {
  torch::manual_seed(0);
  const auto x = torch::randn({7, 3}, torch::kFloat64);
  const auto y = torch::randn({7, 3}, torch::kFloat64) + 0.5;
  auto k = [](const torch::Tensor& a, const torch::Tensor& b) {
    return std::pow(a.dot(b).item<double>() / 3 + 1, 3);
  };
  double xx = 0, yy = 0, xy = 0;
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 7; ++j) {
      if (i != j) {
        xx += k(x[i], x[j]);
        yy += k(y[i], y[j]);
      }
      xy += k(x[i], y[j]);
    }
  }
  const double expected = (xx + yy) / (7 * 6) - 2 * xy / 49;
  EXPECT_NEAR(mmd2_unbiased(x, y), expected, 1e-10);
}

TEST(KidTest, IdenticalDistributionsScoreNearZero) {
  torch::manual_seed(1);
  const auto a = torch::randn({3000, 16});
  const auto b = torch::randn({3000, 16});
  const auto kid = kernel_inception_distance(a, b, 50, 1000);
  // Unbiased: the mean is zero up to the subsets' noise.
  EXPECT_LT(std::abs(kid.mean), 3 * kid.std / std::sqrt(50.0) + 1e-3);
  const auto same = kernel_inception_distance(a, a, 20, 1000);
  EXPECT_LT(std::abs(same.mean), 0.01);
  EXPECT_EQ(kid.subsets, 50);
  EXPECT_EQ(kid.subset_size, 1000);
}

TEST(KidTest, ShiftedSetsScoreHigherAndTheSeedRepeats) {
  torch::manual_seed(2);
  const auto a = torch::randn({1500, 8});
  const auto b = torch::randn({1500, 8}) + 1.0;
  const auto near = kernel_inception_distance(a, torch::randn({1500, 8}), 20);
  const auto far = kernel_inception_distance(a, b, 20);
  EXPECT_GT(far.mean, near.mean + 10 * far.std / std::sqrt(20.0));
  const auto again = kernel_inception_distance(a, b, 20);
  EXPECT_EQ(far.mean, again.mean);
  // Subsets shrink to the smaller set.
  EXPECT_EQ(kernel_inception_distance(a, b.slice(0, 0, 300), 5).subset_size,
            300);
  EXPECT_THROW(kernel_inception_distance(a, torch::randn({10, 3})), Error);
}

}  // namespace
}  // namespace gan::eval
