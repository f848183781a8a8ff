#include "gan/models/sampling.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/models/mlp.h"

namespace gan::models {
namespace {

TEST(SamplingTest, InterpolationRunsStraightFromEndToEnd) {
  const auto z0 = torch::tensor({{0.0f, 0.0f}, {1.0f, 1.0f}});
  const auto z1 = torch::tensor({{4.0f, -4.0f}, {1.0f, 3.0f}});
  const auto z = interpolate_latents(z0, z1, 5);
  ASSERT_EQ(z.sizes(), (std::vector<int64_t>{10, 2}));
  EXPECT_TRUE(torch::allclose(z[0], z0[0]));
  EXPECT_TRUE(torch::allclose(z[4], z1[0]));
  EXPECT_TRUE(torch::allclose(z[2], torch::tensor({2.0f, -2.0f})));
  EXPECT_TRUE(torch::allclose(z[5], z0[1]));
  EXPECT_TRUE(torch::allclose(z[8], torch::tensor({1.0f, 2.5f})));
  EXPECT_THROW(interpolate_latents(z0, z1, 1), Error);
}

TEST(SamplingTest, ChunkingDoesNotChangeSamplesAndModeIsRestored) {
  torch::manual_seed(0);
  MlpConfig config;
  config.g_hidden = {8};
  MlpGenerator g(3, std::vector<int64_t>{1, 2, 2}, config, OutputActivation::kSigmoid);
  g->train();
  const auto z = torch::randn({10, 3});
  const auto whole = generate_from(*g, z, torch::kCPU, /*batch=*/100);
  const auto chunks = generate_from(*g, z, torch::kCPU, /*batch=*/3);
  EXPECT_TRUE(torch::allclose(whole, chunks));
  EXPECT_EQ(whole.sizes(), (std::vector<int64_t>{10, 1, 2, 2}));
  EXPECT_FALSE(whole.requires_grad());
  EXPECT_TRUE(g->is_training());
  EXPECT_EQ(generate(*g, PriorKind::kNormal, 7, torch::kCPU).size(0), 7);
}

}  // namespace
}  // namespace gan::models
