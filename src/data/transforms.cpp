// Image resizing and channel conversion with libtorch operators.
#include "gan/data/transforms.h"

#include <fmt/format.h>
#include <torch/nn/functional/upsampling.h>

#include "gan/core/error.h"

namespace gan::data {

torch::Tensor resize_and_crop(const torch::Tensor& images, int64_t size) {
  const int64_t h = images.size(2), w = images.size(3);
  if (h == size && w == size) return images;

  const double scale = static_cast<double>(size) / std::min(h, w);
  const int64_t new_h = std::max<int64_t>(size, std::llround(h * scale));
  const int64_t new_w = std::max<int64_t>(size, std::llround(w * scale));
  namespace F = torch::nn::functional;
  auto resized = F::interpolate(
      images.to(torch::kFloat32),
      F::InterpolateFuncOptions()
          .size(std::vector<int64_t>{new_h, new_w})
          .mode(torch::kBilinear)
          .align_corners(false)
          .antialias(scale < 1.0));
  const int64_t top = (new_h - size) / 2, left = (new_w - size) / 2;
  return resized.slice(2, top, top + size)
      .slice(3, left, left + size)
      .round()
      .clamp(0, 255)
      .to(torch::kByte)
      .contiguous();
}

torch::Tensor convert_channels(const torch::Tensor& images,
                               int64_t channels) {
  const int64_t have = images.size(1);
  if (have == channels) return images;
  if (have == 1 && channels == 3) return images.repeat({1, 3, 1, 1});
  if (have == 3 && channels == 1) {
    const auto weights =
        torch::tensor({0.299f, 0.587f, 0.114f}).view({1, 3, 1, 1});
    return (images.to(torch::kFloat32) * weights)
        .sum(1, /*keepdim=*/true)
        .round()
        .clamp(0, 255)
        .to(torch::kByte);
  }
  throw Error(fmt::format(
      "cannot convert {}-channel images to {} channels; expected 1 or 3",
      have, channels));
}

}  // namespace gan::data
