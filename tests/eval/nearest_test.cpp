#include "gan/eval/nearest.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

TEST(NearestTest, MatchesBruteForceAcrossBlocks) {
  torch::manual_seed(0);
  const auto samples = torch::rand({9, 1, 4, 4});
  const auto train = torch::rand({50, 1, 4, 4});
  const auto found = nearest_neighbours(samples, train, /*block=*/7);
  for (int64_t i = 0; i < samples.size(0); ++i) {
    const auto d = (train - samples[i]).square().flatten(1).sum(1);
    EXPECT_EQ(found[i].item<int64_t>(), d.argmin().item<int64_t>()) << i;
  }
}

TEST(NearestTest, AnExampleIsItsOwnNearestNeighbour) {
  torch::manual_seed(1);
  const auto train = torch::rand({30, 6});
  const auto found = nearest_neighbours(train.index_select(
                                            0, torch::tensor({4, 17, 29})),
                                        train);
  EXPECT_TRUE(torch::equal(found, torch::tensor({4, 17, 29}, torch::kInt64)));
}

TEST(NearestTest, PairsInterleaveSamplesAndNeighbours) {
  const auto s = torch::zeros({2, 1, 2, 2});
  const auto n = torch::ones({2, 1, 2, 2});
  const auto pairs = pair_with_neighbours(s, n);
  ASSERT_EQ(pairs.sizes(), (std::vector<int64_t>{4, 1, 2, 2}));
  EXPECT_EQ(pairs[0].sum().item<float>(), 0.0f);
  EXPECT_EQ(pairs[1].sum().item<float>(), 4.0f);
  EXPECT_EQ(pairs[2].sum().item<float>(), 0.0f);
  EXPECT_EQ(pairs[3].sum().item<float>(), 4.0f);
}

TEST(NearestTest, DimensionMismatchIsAnError) {
  EXPECT_THROW(nearest_neighbours(torch::zeros({2, 3}), torch::zeros({4, 5})),
               Error);
}

}  // namespace
}  // namespace gan::eval
