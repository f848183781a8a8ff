#include "gan/io/plot.h"

#include <gtest/gtest.h>

namespace gan::io {
namespace {

bool is(const torch::Tensor& pixels, int x, int y, Color c) {
  return pixels[y][x][0].item<uint8_t>() == c.r &&
         pixels[y][x][1].item<uint8_t>() == c.g &&
         pixels[y][x][2].item<uint8_t>() == c.b;
}

TEST(PlotTest, DataCoordinatesMapToPixelsWithYUp) {
  Canvas canvas(11, 11, 0.0, 10.0, 0.0, 10.0);
  canvas.point(0.0, 0.0, kRed, 0);    // bottom left
  canvas.point(10.0, 10.0, kBlue, 0);  // top right
  EXPECT_TRUE(is(canvas.pixels(), 0, 10, kRed));
  EXPECT_TRUE(is(canvas.pixels(), 10, 0, kBlue));
  EXPECT_TRUE(is(canvas.pixels(), 5, 5, kWhite));
}

TEST(PlotTest, LinesJoinTheirEndsAndClipOutside) {
  Canvas canvas(11, 11, 0.0, 10.0, 0.0, 10.0);
  canvas.line(0.0, 5.0, 10.0, 5.0, kBlack);
  for (int x = 0; x <= 10; ++x) EXPECT_TRUE(is(canvas.pixels(), x, 5, kBlack));
  canvas.line(-100.0, -100.0, 1e9, 1e9, kGreen);  // far off: no crash
  canvas.point(1e12, 0.0, kGreen, 3);
  EXPECT_TRUE(is(canvas.pixels(), 3, 7, kGreen));
}

TEST(PlotTest, PanelsSitSideBySide) {
  const auto a = torch::zeros({4, 3, 3}, torch::kByte);
  const auto b = torch::zeros({4, 5, 3}, torch::kByte);
  EXPECT_EQ(side_by_side({a, b}, 2).sizes(),
            (std::vector<int64_t>{4, 10, 3}));
}

}  // namespace
}  // namespace gan::io
