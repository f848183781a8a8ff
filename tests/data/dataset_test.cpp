#include "gan/data/dataset.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::data {
namespace {

torch::Tensor bytes(std::vector<uint8_t> values, std::vector<int64_t> shape) {
  return torch::tensor(std::vector<int64_t>(values.begin(), values.end()))
      .to(torch::kByte)
      .reshape(shape);
}

TEST(DatasetTest, PixelsMapToBothRanges) {
  const auto px = bytes({0, 51, 255}, {3});
  EXPECT_TRUE(torch::allclose(pixels_to_float(px, PixelRange::kZeroOne),
                              torch::tensor({0.0f, 0.2f, 1.0f})));
  EXPECT_TRUE(torch::allclose(pixels_to_float(px, PixelRange::kMinusOneOne),
                              torch::tensor({-1.0f, -0.6f, 1.0f})));
}

TEST(DatasetTest, FloatToPixelsInvertsScalingAndClamps) {
  const auto px = torch::arange(256).to(torch::kByte);
  for (auto range : {PixelRange::kZeroOne, PixelRange::kMinusOneOne}) {
    EXPECT_TRUE(torch::equal(float_to_pixels(pixels_to_float(px, range), range),
                             px));
  }
  const auto clamped = float_to_pixels(torch::tensor({-3.0f, 7.0f}),
                                       PixelRange::kMinusOneOne);
  EXPECT_EQ(clamped[0].item<uint8_t>(), 0);
  EXPECT_EQ(clamped[1].item<uint8_t>(), 255);
}

TEST(DatasetTest, BatchReturnsScaledExamplesInIndexOrder) {
  auto images = torch::arange(4 * 1 * 2 * 2).to(torch::kByte).reshape(
      {4, 1, 2, 2});
  Dataset data(images, torch::tensor({0, 1, 2, 0}), 3, PixelRange::kZeroOne);
  const auto idx = torch::tensor({2, 0}, torch::kInt64);
  const auto batch = data.batch(idx, torch::kCPU);
  EXPECT_EQ(batch.sizes(), (std::vector<int64_t>{2, 1, 2, 2}));
  EXPECT_FLOAT_EQ(batch[0][0][0][0].item<float>(), 8.0f / 255.0f);
  EXPECT_FLOAT_EQ(batch[1][0][1][1].item<float>(), 3.0f / 255.0f);
  EXPECT_TRUE(torch::equal(data.batch_labels(idx, torch::kCPU),
                           torch::tensor({2, 0}, torch::kInt64)));
}

TEST(DatasetTest, MeanExampleMatchesTheDirectMean) {
  auto images = torch::randint(0, 256, {100, 1, 3, 3}).to(torch::kByte);
  for (auto range : {PixelRange::kZeroOne, PixelRange::kMinusOneOne}) {
    Dataset data(images, {}, 0, range);
    const auto expected = pixels_to_float(images, range).mean(0);
    EXPECT_TRUE(torch::allclose(data.mean_example(), expected, 1e-5, 1e-6));
  }
}

TEST(DatasetTest, PointsAreReturnedAsStored) {
  auto points = torch::randn({10, 2});
  Dataset data(points, {}, 0, PixelRange::kZeroOne);
  EXPECT_FALSE(data.is_image());
  EXPECT_EQ(data.example_shape(), (std::vector<int64_t>{2}));
  EXPECT_TRUE(torch::equal(data.batch(torch::tensor({3}, torch::kInt64),
                                      torch::kCPU)[0],
                           points[3]));
}

TEST(DatasetTest, RejectsBadShapesAndLabels) {
  EXPECT_THROW(Dataset(torch::zeros({4, 28, 28}, torch::kByte), {}, 0,
                       PixelRange::kZeroOne),
               Error);
  EXPECT_THROW(Dataset(torch::zeros({4, 1, 2, 2}, torch::kByte),
                       torch::tensor({0, 1, 2}), 3, PixelRange::kZeroOne),
               Error);
  EXPECT_THROW(Dataset(torch::zeros({2, 1, 2, 2}, torch::kByte),
                       torch::tensor({0, 5}), 3, PixelRange::kZeroOne),
               Error);
}

TEST(DatasetTest, SliceKeepsLabelsAligned) {
  auto images = torch::arange(5).to(torch::kByte).reshape({5, 1, 1, 1});
  Dataset data(images, torch::tensor({0, 1, 2, 3, 4}), 5,
               PixelRange::kZeroOne);
  const auto part = data.slice(2, 4);
  EXPECT_EQ(part.size(), 2);
  EXPECT_EQ(part.labels()[0].item<int64_t>(), 2);
  EXPECT_EQ(part.examples()[1].item<uint8_t>(), 3);
}

}  // namespace
}  // namespace gan::data
