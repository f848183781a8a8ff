#include "gan/eval/precision_recall.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(PrecisionRecallTest, ASetAgainstItselfHasPrecisionAndRecallOne) {
  torch::manual_seed(0);
  const auto x = torch::randn({500, 10});
  const auto r = precision_recall(x, x, 3, /*block=*/128);
  EXPECT_DOUBLE_EQ(r.precision, 1.0);
  EXPECT_DOUBLE_EQ(r.recall, 1.0);
}

TEST(PrecisionRecallTest, ShiftedSetsScoreLower) {
  torch::manual_seed(1);
  const auto real = torch::randn({1000, 8});
  const auto same = precision_recall(real, torch::randn({1000, 8}));
  const auto shifted = precision_recall(real, torch::randn({1000, 8}) + 1.5);
  EXPECT_GT(same.precision, 0.6);
  EXPECT_GT(same.recall, 0.6);
  EXPECT_LT(shifted.precision, same.precision - 0.3);
  EXPECT_LT(shifted.recall, same.recall - 0.3);
}

TEST(PrecisionRecallTest, CollapsedSamplesArePreciseButRecallLittle) {
  // Every generated point sits on one real point: all inside the real
  // manifold, but their own balls are tiny and cover little of it.
  torch::manual_seed(2);
  const auto real = torch::randn({400, 4});
  const auto fake =
      real.slice(0, 0, 1).repeat({400, 1}) + 1e-4 * torch::randn({400, 4});
  const auto r = precision_recall(real, fake);
  EXPECT_DOUBLE_EQ(r.precision, 1.0);
  EXPECT_LT(r.recall, 0.05);
}

TEST(PrecisionRecallTest, RadiiAreDistancesToTheKthOtherPoint) {
  const auto x = torch::tensor({{0.0f}, {1.0f}, {3.0f}, {7.0f}});
  const auto radii = knn_radii(x, 2);
  EXPECT_TRUE(torch::allclose(
      radii, torch::tensor({3.0, 2.0, 3.0, 6.0}, torch::kFloat64)));
  EXPECT_THROW(precision_recall(x, x, 4), Error);
}

}  // namespace
}  // namespace gan::eval
