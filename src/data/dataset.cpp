// In-memory datasets and pixel scaling.
#include "gan/data/dataset.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gan/core/error.h"

namespace gan::data {

torch::Tensor pixels_to_float(const torch::Tensor& pixels, PixelRange range) {
  auto x = pixels.to(torch::kFloat32);
  if (range == PixelRange::kZeroOne) return x.div_(255.0);
  return x.div_(127.5).sub_(1.0);
}

torch::Tensor to_unit_range(const torch::Tensor& values, PixelRange range) {
  auto x = values.to(torch::kFloat32);
  if (range == PixelRange::kMinusOneOne) x = x.add(1.0).mul_(0.5);
  return x.clamp(0.0, 1.0);
}

torch::Tensor float_to_pixels(const torch::Tensor& values, PixelRange range) {
  return to_unit_range(values, range).mul_(255.0).round_().to(torch::kByte);
}

Dataset::Dataset(torch::Tensor examples, torch::Tensor labels,
                 int64_t num_classes, PixelRange range)
    : examples_(std::move(examples)),
      labels_(std::move(labels)),
      num_classes_(num_classes),
      range_(range) {
  const bool image = examples_.scalar_type() == torch::kByte &&
                     examples_.dim() == 4;
  const bool points = examples_.scalar_type() == torch::kFloat32 &&
                      examples_.dim() == 2;
  if (!image && !points) {
    throw Error(fmt::format(
        "dataset: expected uint8 [N, C, H, W] images or float32 [N, D] "
        "points, got {} [{}]",
        c10::toString(examples_.scalar_type()),
        fmt::join(examples_.sizes(), ", ")));
  }
  if (labels_.defined()) {
    if (labels_.dim() != 1 || labels_.size(0) != examples_.size(0)) {
      throw Error(fmt::format("dataset: {} labels for {} examples",
                              labels_.numel(), examples_.size(0)));
    }
    labels_ = labels_.to(torch::kInt64);
    if (labels_.numel() > 0 &&
        (labels_.min().item<int64_t>() < 0 ||
         labels_.max().item<int64_t>() >= num_classes_)) {
      throw Error(fmt::format("dataset: labels outside [0, {})", num_classes_));
    }
  }
}

std::vector<int64_t> Dataset::example_shape() const {
  const auto sizes = examples_.sizes();
  return {sizes.begin() + 1, sizes.end()};
}

torch::Tensor Dataset::batch(const torch::Tensor& indices,
                             c10::Device device) const {
  auto picked = examples_.index_select(0, indices);
  if (!is_image()) return picked.to(device);
  // Scale on the device: uint8 moves four times fewer bytes than float.
  return pixels_to_float(picked.to(device), range_);
}

torch::Tensor Dataset::batch_labels(const torch::Tensor& indices,
                                    c10::Device device) const {
  if (!labels_.defined()) return {};
  return labels_.index_select(0, indices).to(device);
}

Dataset Dataset::slice(int64_t begin, int64_t end) const {
  auto labels = labels_.defined() ? labels_.slice(0, begin, end) : labels_;
  return Dataset(examples_.slice(0, begin, end), labels, num_classes_, range_);
}

torch::Tensor Dataset::mean_example() const {
  if (!is_image()) return examples_.mean(0);
  // Summed in float64 chunks: exact, without a float copy of the whole set.
  constexpr int64_t kChunk = 4096;
  auto sum = torch::zeros(example_shape(), torch::kFloat64);
  for (int64_t begin = 0; begin < size(); begin += kChunk) {
    sum += examples_.slice(0, begin, begin + kChunk)
               .to(torch::kFloat64)
               .sum(0);
  }
  auto mean = sum.div(255.0 * std::max<int64_t>(size(), 1));
  if (range_ == PixelRange::kMinusOneOne) mean = mean.mul(2.0).sub(1.0);
  return mean.to(torch::kFloat32);
}

}  // namespace gan::data
