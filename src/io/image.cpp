// Grids and PNG output through stb_image_write.
#include "gan/io/image.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stb/stb_image_write.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {
namespace {

constexpr double kPaddingGrey = 0.5;

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<size_t>(size));
}

}  // namespace

torch::Tensor tile_images(const torch::Tensor& images, int64_t columns,
                          int64_t padding) {
  if (images.dim() != 4 || images.size(0) == 0) {
    throw Error(fmt::format("image grid: expected [N, C, H, W] with N > 0, "
                            "got [{}]",
                            fmt::join(images.sizes(), ", ")));
  }
  const int64_t n = images.size(0), c = images.size(1);
  const int64_t h = images.size(2), w = images.size(3);
  columns = std::clamp<int64_t>(columns, 1, n);
  const int64_t rows = (n + columns - 1) / columns;

  auto canvas = torch::full(
      {c, rows * (h + padding) + padding, columns * (w + padding) + padding},
      kPaddingGrey);
  const auto cpu = images.detach().to(torch::kCPU, torch::kFloat32);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = padding + (i / columns) * (h + padding);
    const int64_t left = padding + (i % columns) * (w + padding);
    canvas.slice(1, top, top + h).slice(2, left, left + w).copy_(cpu[i]);
  }
  return canvas.clamp(0.0, 1.0)
      .mul(255.0)
      .round()
      .to(torch::kByte)
      .permute({1, 2, 0})
      .contiguous();
}

void write_png(const std::filesystem::path& path,
               const torch::Tensor& picture) {
  if (picture.dim() != 3 || picture.scalar_type() != torch::kByte ||
      picture.size(2) < 1 || picture.size(2) > 4 || picture.size(2) == 2) {
    throw Error(fmt::format(
        "{}: expected a uint8 [H, W, C] picture with C = 1, 3 or 4",
        path.string()));
  }
  const auto data = picture.contiguous().cpu();
  const int h = static_cast<int>(data.size(0));
  const int w = static_cast<int>(data.size(1));
  const int c = static_cast<int>(data.size(2));
  std::string png;
  if (!stbi_write_png_to_func(append_bytes, &png, w, h, c,
                              data.data_ptr<uint8_t>(), w * c)) {
    throw Error(fmt::format("{}: PNG encoding failed", path.string()));
  }
  write_file_atomic(path, png);
}

void write_image_grid(const std::filesystem::path& path,
                      const torch::Tensor& images, int64_t columns) {
  if (columns <= 0) {
    columns = static_cast<int64_t>(
        std::ceil(std::sqrt(static_cast<double>(images.size(0)))));
  }
  write_png(path, tile_images(images, columns));
}

}  // namespace gan::io
