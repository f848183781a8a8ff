// Pictures of samples: tiling a batch of images into one grid, and writing
// PNG files. Shapes: N images, C channels (1 or 3), H x W pixels.
#pragma once

#include <cstdint>
#include <filesystem>

#include <torch/types.h>

namespace gan::io {

// Tiles `images`, float [N, C, H, W] with values in [0, 1] (any device),
// into one uint8 picture [rows * (H + pad) + pad, columns * (W + pad) +
// pad, C] on the CPU, row by row, `columns` images per row, separated by
// `padding` pixels of mid-grey (visible on dark and light images alike).
torch::Tensor tile_images(const torch::Tensor& images, int64_t columns,
                          int64_t padding = 2);

// Writes `picture`, uint8 [H, W, C] with C in {1, 3, 4}, as a PNG file,
// atomically. Throws gan::Error naming the path on failure.
void write_png(const std::filesystem::path& path,
               const torch::Tensor& picture);

// tile_images + write_png; `columns` <= 0 picks a square-ish layout.
void write_image_grid(const std::filesystem::path& path,
                      const torch::Tensor& images, int64_t columns = 0);

}  // namespace gan::io
