#include "gan/io/image.h"
#include <cstring>

#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

TEST(ImageTest, TilesRowByRowWithGreyPadding) {
  // Three 2x2 images of values 0, 0.5 and 1 in two columns, padding 1.
  const auto images =
      torch::stack({torch::zeros({1, 2, 2}), torch::full({1, 2, 2}, 0.5),
                    torch::ones({1, 2, 2})});
  const auto grid = tile_images(images, /*columns=*/2, /*padding=*/1);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{7, 7, 1}));
  EXPECT_EQ(grid[0][0][0].item<uint8_t>(), 128);  // padding
  EXPECT_EQ(grid[1][1][0].item<uint8_t>(), 0);    // image 0
  EXPECT_EQ(grid[2][5][0].item<uint8_t>(), 128);  // image 1: round(127.5)
  EXPECT_EQ(grid[4][1][0].item<uint8_t>(), 255);  // image 2, second row
  EXPECT_EQ(grid[4][4][0].item<uint8_t>(), 128);  // empty cell
}

TEST(ImageTest, PngDecodesToTheSamePixels) {
  testing::TempDir dir;
  const auto picture =
      torch::randint(0, 256, {5, 7, 3}).to(torch::kByte).contiguous();
  write_png(dir / "p.png", picture);
  const auto bytes = testing::read_bytes(dir / "p.png");
  int w = 0, h = 0, c = 0;
  unsigned char* pixels = stbi_load_from_memory(
      reinterpret_cast<const unsigned char*>(bytes.data()),
      static_cast<int>(bytes.size()), &w, &h, &c, 0);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(w, 7);
  EXPECT_EQ(h, 5);
  EXPECT_EQ(c, 3);
  EXPECT_EQ(std::memcmp(pixels, picture.data_ptr<uint8_t>(), 5 * 7 * 3), 0);
  stbi_image_free(pixels);
}

TEST(ImageTest, BadShapesAreRejected) {
  testing::TempDir dir;
  EXPECT_THROW(write_png(dir / "p.png", torch::zeros({4, 4, 2}, torch::kByte)),
               Error);
  EXPECT_THROW(write_png(dir / "p.png", torch::zeros({4, 4, 3})), Error);
  EXPECT_THROW(tile_images(torch::zeros({2, 2, 2}), 1), Error);
}

TEST(ImageTest, GridDefaultsToASquareLayout) {
  testing::TempDir dir;
  write_image_grid(dir / "g.png", torch::rand({9, 1, 3, 3}));
  const auto bytes = testing::read_bytes(dir / "g.png");
  int w = 0, h = 0, c = 0;
  ASSERT_TRUE(stbi_info_from_memory(
      reinterpret_cast<const unsigned char*>(bytes.data()),
      static_cast<int>(bytes.size()), &w, &h, &c));
  EXPECT_EQ(w, 3 * (3 + 2) + 2);
  EXPECT_EQ(h, w);
}

}  // namespace
}  // namespace gan::io
