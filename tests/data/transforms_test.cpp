#include "gan/data/transforms.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"

namespace gan::data {
namespace {

TEST(TransformsTest, ResizeCropsTheCentreToASquare) {
  // Left half 0, right half 255, 20 wide, 10 high: resized to 8 high, 16
  // wide, the centre 8 columns keep both halves.
  auto images = torch::zeros({1, 1, 10, 20}, torch::kByte);
  images.slice(3, 10, 20).fill_(255);
  const auto out = resize_and_crop(images, 8);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{1, 1, 8, 8}));
  EXPECT_EQ(out[0][0][4][0].item<uint8_t>(), 0);
  EXPECT_EQ(out[0][0][4][7].item<uint8_t>(), 255);
}

TEST(TransformsTest, FlatImagesStayFlatAndRightSizesAreUntouched) {
  const auto flat = torch::full({2, 3, 28, 28}, 77, torch::kByte);
  EXPECT_TRUE(torch::equal(resize_and_crop(flat, 32),
                           torch::full({2, 3, 32, 32}, 77, torch::kByte)));
  EXPECT_TRUE(resize_and_crop(flat, 28).is_same(flat));
}

TEST(TransformsTest, ChannelsConvertBothWays) {
  auto grey = torch::full({1, 1, 2, 2}, 100, torch::kByte);
  EXPECT_TRUE(torch::equal(convert_channels(grey, 3),
                           torch::full({1, 3, 2, 2}, 100, torch::kByte)));
  auto rgb = torch::zeros({1, 3, 1, 1}, torch::kByte);
  rgb[0][0] = 255;  // pure red: luma 0.299 * 255 = 76.2
  EXPECT_EQ(convert_channels(rgb, 1).item<uint8_t>(), 76);
  EXPECT_THROW(convert_channels(torch::zeros({1, 2, 1, 1}, torch::kByte), 3),
               Error);
}

}  // namespace
}  // namespace gan::data
