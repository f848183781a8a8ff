#include "gan/data/toy.h"

#include <cmath>

#include <gtest/gtest.h>

namespace gan::data {
namespace {

TEST(ToyTest, MixturesHaveTheirModes) {
  const auto ring = toy_mixture(ToyKind::kRing);
  ASSERT_EQ(ring.means.sizes(), (std::vector<int64_t>{8, 2}));
  EXPECT_TRUE(torch::allclose(ring.means.norm(2, 1), torch::full({8}, 2.0f)));
  EXPECT_DOUBLE_EQ(ring.std, 0.02);
  const auto grid = toy_mixture(ToyKind::kGrid);
  ASSERT_EQ(grid.means.sizes(), (std::vector<int64_t>{25, 2}));
  EXPECT_EQ(grid.means.min().item<float>(), -4.0f);
  EXPECT_EQ(grid.means.max().item<float>(), 4.0f);
  EXPECT_DOUBLE_EQ(grid.std, 0.05);
  EXPECT_EQ(toy_mixture(ToyKind::kGaussian1d).means.sizes(),
            (std::vector<int64_t>{1, 1}));
}

TEST(ToyTest, SamplesSpreadEvenlyAroundTheirModes) {
  const auto [points, modes] = sample_toy(ToyKind::kGrid, 50000, 1);
  const auto mixture = toy_mixture(ToyKind::kGrid);
  const auto offsets = points - mixture.means.index_select(0, modes);
  EXPECT_NEAR(offsets.std().item<double>(), 0.05, 0.001);
  EXPECT_NEAR(offsets.mean().item<double>(), 0.0, 0.001);
  const auto counts = torch::bincount(modes);
  EXPECT_GT(counts.min().item<int64_t>(), 1800);  // 2000 expected each
  // The same seed draws the same points.
  EXPECT_TRUE(torch::equal(sample_toy(ToyKind::kGrid, 50000, 1).first, points));
}

}  // namespace
}  // namespace gan::data
