// An in-memory dataset: N examples with optional class labels, and the float
// batches the trainer reads from it. Images are stored as uint8
// [N, C, H, W] and scaled on the way out; other data (points of a toy
// distribution) are stored as float32 [N, D] and returned as they are.
#pragma once

#include <cstdint>
#include <vector>

#include <c10/core/Device.h>
#include <torch/types.h>

namespace gan::data {

// The float range pixels are mapped to: [0, 1] suits sigmoid outputs (the
// paper's nets), [-1, 1] tanh outputs (DCGAN).
enum class PixelRange { kZeroOne, kMinusOneOne };

// uint8 pixels (any shape) to float32 in `range`.
torch::Tensor pixels_to_float(const torch::Tensor& pixels, PixelRange range);

// Float pixels in `range` (any shape) to uint8, rounded and clamped.
torch::Tensor float_to_pixels(const torch::Tensor& values, PixelRange range);

// Float pixels in `range` to float in [0, 1], clamped.
torch::Tensor to_unit_range(const torch::Tensor& values, PixelRange range);

class Dataset {
 public:
  // `examples`: uint8 [N, C, H, W] images or float32 [N, D] points, on the
  // CPU. `labels`: int64 [N] in [0, num_classes), or undefined when the set
  // is unlabelled. Throws gan::Error when shapes or types do not fit.
  Dataset(torch::Tensor examples, torch::Tensor labels, int64_t num_classes,
          PixelRange range);

  int64_t size() const { return examples_.size(0); }
  // Shape of one example: [C, H, W] for images, [D] for points.
  std::vector<int64_t> example_shape() const;
  bool is_image() const { return examples_.scalar_type() == torch::kByte; }
  PixelRange range() const { return range_; }
  int64_t num_classes() const { return num_classes_; }
  bool has_labels() const { return labels_.defined(); }

  // The stored tensors (uint8 images or float points; int64 labels).
  const torch::Tensor& examples() const { return examples_; }
  const torch::Tensor& labels() const { return labels_; }

  // Examples at `indices` (int64 [B] on the CPU) as float32
  // [B, ...example_shape()] on `device`, images scaled to range().
  torch::Tensor batch(const torch::Tensor& indices, c10::Device device) const;

  // Labels at `indices` as int64 [B] on `device`; undefined if unlabelled.
  torch::Tensor batch_labels(const torch::Tensor& indices,
                             c10::Device device) const;

  // Examples [begin, end) as a dataset sharing this one's storage.
  Dataset slice(int64_t begin, int64_t end) const;

  // Mean example, float32 [...example_shape()] on the CPU, in range().
  torch::Tensor mean_example() const;

 private:
  torch::Tensor examples_;
  torch::Tensor labels_;
  int64_t num_classes_;
  PixelRange range_;
};

}  // namespace gan::data
