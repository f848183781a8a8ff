#include "gan/train/schedule.h"

#include <cmath>

#include <gtest/gtest.h>

namespace gan::train {
namespace {

TEST(ScheduleTest, LearningRateIsDividedByTheDecayEveryStep) {
  OptimConfig paper;
  EXPECT_DOUBLE_EQ(learning_rate_at(paper, 0), 0.1);
  EXPECT_NEAR(learning_rate_at(paper, 1), 0.1 / 1.000004, 1e-15);
  EXPECT_NEAR(learning_rate_at(paper, 2), 0.1 / 1.000004 / 1.000004, 1e-15);
  // 10^6 steps: 0.1 / 1.000004^1e6 = 0.1 * exp(-4 + 8e-6).
  EXPECT_NEAR(learning_rate_at(paper, 1000000), 0.1 * std::exp(-3.999992),
              1e-9);
}

TEST(ScheduleTest, LearningRateStopsAtItsFloor) {
  OptimConfig paper;
  EXPECT_DOUBLE_EQ(learning_rate_at(paper, 5000000), 1e-6);
  OptimConfig constant;
  constant.lr_decay = 1.0;
  EXPECT_DOUBLE_EQ(learning_rate_at(constant, 123456789), constant.lr);
}

TEST(ScheduleTest, MomentumRampsLinearlyBetweenEpochOneAnd250) {
  OptimConfig paper;
  EXPECT_DOUBLE_EQ(momentum_at(paper, 0), 0.5);
  EXPECT_DOUBLE_EQ(momentum_at(paper, 1), 0.5);
  EXPECT_NEAR(momentum_at(paper, 2), 0.5 + 0.2 / 249, 1e-12);
  EXPECT_NEAR(momentum_at(paper, 125), 0.5 + 0.2 * 124 / 249, 1e-12);
  EXPECT_DOUBLE_EQ(momentum_at(paper, 250), 0.7);
  EXPECT_DOUBLE_EQ(momentum_at(paper, 1000), 0.7);
}

TEST(ScheduleTest, ZeroWidthRampSwitchesAtItsEpoch) {
  OptimConfig config;
  config.momentum_start_epoch = 3;
  config.momentum_saturate_epoch = 3;
  EXPECT_DOUBLE_EQ(momentum_at(config, 2), 0.5);
  EXPECT_DOUBLE_EQ(momentum_at(config, 3), 0.7);
}

}  // namespace
}  // namespace gan::train
