#include "gan/eval/feature_cache.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace gan::eval {
namespace {

TEST(FeatureCacheTest, ComputesOnceAndReadsBack) {
  testing::TempDir dir;
  FeatureCache cache(dir.path());
  int calls = 0;
  auto compute = [&] {
    ++calls;
    return torch::arange(6, torch::kFloat32).reshape({3, 2});
  };
  const auto first = cache.get_or_compute("set A", compute);
  const auto second = cache.get_or_compute("set A", compute);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(torch::equal(first, second));
  cache.get_or_compute("set B", compute);
  EXPECT_EQ(calls, 2);
}

TEST(FeatureCacheTest, ADamagedEntryIsRecomputed) {
  testing::TempDir dir;
  FeatureCache cache(dir.path());
  int calls = 0;
  auto compute = [&] {
    ++calls;
    return torch::ones({2, 2});
  };
  cache.get_or_compute("k", compute);
  testing::write_bytes(cache.path_for("k"), "garbage");
  EXPECT_TRUE(
      torch::equal(cache.get_or_compute("k", compute), torch::ones({2, 2})));
  EXPECT_EQ(calls, 2);
}

TEST(FeatureCacheTest, AnEmptyFolderMeansNoCache) {
  FeatureCache off{std::filesystem::path()};
  int calls = 0;
  for (int i = 0; i < 2; ++i) {
    off.get_or_compute("k", [&] {
      ++calls;
      return torch::zeros({1, 1});
    });
  }
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace gan::eval
