#include "gan/eval/mode_coverage.h"

#include <cmath>

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

const auto kModes = torch::tensor({{0.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f},
                                   {1.0f, 1.0f}});

TEST(ModeCoverageTest, EvenSamplesOnEveryModeCoverAll) {
  const auto samples = kModes.repeat({25, 1});  // 25 per mode
  const auto c = mode_coverage(samples, kModes, 0.01);
  EXPECT_EQ(c.modes, 4);
  EXPECT_EQ(c.modes_captured, 4);
  EXPECT_DOUBLE_EQ(c.high_quality, 1.0);
  EXPECT_NEAR(c.reverse_kl, 0.0, 1e-12);
  EXPECT_EQ(c.counts, (std::vector<int64_t>{25, 25, 25, 25}));
}

TEST(ModeCoverageTest, ACollapsedGeneratorCoversOneMode) {
  const auto samples = torch::zeros({100, 2});
  const auto c = mode_coverage(samples, kModes, 0.01);
  EXPECT_EQ(c.modes_captured, 1);
  EXPECT_NEAR(c.reverse_kl, std::log(4.0), 1e-12);
}

TEST(ModeCoverageTest, ThreeStandardDeviationsDecideQuality) {
  // 0.029 from a mode is within 3 std (0.03), 0.031 is not.
  const auto samples = torch::tensor({{0.029f, 0.0f}, {1.0f, 0.031f}});
  const auto c = mode_coverage(samples, kModes, 0.01, /*min_count=*/1);
  EXPECT_DOUBLE_EQ(c.high_quality, 0.5);
  EXPECT_EQ(c.modes_captured, 1);
  const auto none = mode_coverage(torch::full({5, 2}, 9.0f), kModes, 0.01);
  EXPECT_EQ(none.high_quality, 0.0);
  EXPECT_TRUE(std::isinf(none.reverse_kl));
}

TEST(ModeCoverageTest, FewSamplesDoNotCaptureAMode) {
  auto samples = kModes.repeat({30, 1});
  samples = torch::cat({samples.slice(0, 0, 100), kModes.slice(0, 0, 1)});
  // Default threshold 20: modes with 25 samples count, none is below.
  EXPECT_EQ(mode_coverage(samples, kModes, 0.01).modes_captured, 4);
  EXPECT_EQ(mode_coverage(samples, kModes, 0.01, 26).modes_captured, 1);
}

TEST(ModeCoverageTest, MismatchedDimensionsAreRejected) {
  EXPECT_THROW(mode_coverage(torch::zeros({3, 3}), kModes, 0.1), Error);
  EXPECT_THROW(mode_coverage(torch::zeros({0, 2}), kModes, 0.1), Error);
}

}  // namespace
}  // namespace gan::eval
