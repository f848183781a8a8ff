#include "gan/eval/inception_score.h"

#include <cmath>

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(InceptionScoreTest, ConfidentAndDiverseReachesTheClassCount) {
  // One-hot predictions spread evenly over K classes: exp(log K) = K.
  const auto p = torch::eye(10, torch::kFloat64).repeat({10, 1});
  const auto s = inception_score(p, 10);
  EXPECT_NEAR(s.mean, 10.0, 1e-6);
  EXPECT_NEAR(s.std, 0.0, 1e-6);
}

TEST(InceptionScoreTest, UniformPredictionsScoreOne) {
  const auto p = torch::full({50, 4}, 0.25, torch::kFloat64);
  EXPECT_NEAR(inception_score(p, 5).mean, 1.0, 1e-9);
}

TEST(InceptionScoreTest, CollapsedConfidentPredictionsScoreOne) {
  auto p = torch::zeros({20, 3}, torch::kFloat64);
  p.select(1, 1).fill_(1.0);
  EXPECT_NEAR(inception_score(p, 2).mean, 1.0, 1e-6);
  EXPECT_THROW(inception_score(p, 21), Error);
}

}  // namespace
}  // namespace gan::eval
