// Reshaping image batches: resizing to a square size and converting
// between grayscale and RGB. Images are uint8 [N, C, H, W] on the CPU.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::data {

// Resizes so that the shorter side is `size` (bilinear, antialiased when
// shrinking), then crops the centre size x size. Returns uint8
// [N, C, size, size]; images already that size are returned as they are.
torch::Tensor resize_and_crop(const torch::Tensor& images, int64_t size);

// 1 -> 3 channels repeats the grey value; 3 -> 1 takes the luma
// 0.299 R + 0.587 G + 0.114 B (as PIL's "L" mode). Returns uint8
// [N, channels, H, W]. Throws gan::Error for other channel counts.
torch::Tensor convert_channels(const torch::Tensor& images, int64_t channels);

}  // namespace gan::data
