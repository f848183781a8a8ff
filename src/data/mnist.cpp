// MNIST-format folders: file lookup, image/label agreement, splits.
#include "gan/data/mnist.h"

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/data/idx.h"
#include "gan/data/splits.h"

namespace gan::data {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kNumClasses = 10;
constexpr int kImageRank = 3;  // [N, H, W]
constexpr int kLabelRank = 1;  // [N]

// The file `stem` in `dir`, plain or gzipped.
fs::path find_file(const fs::path& dir, const std::string& stem) {
  for (const auto& name : {stem, stem + ".gz"}) {
    if (fs::is_regular_file(dir / name)) return dir / name;
  }
  throw Error(fmt::format(
      "{}: missing {} (or {}.gz); expected an MNIST-format folder "
      "(train-images-idx3-ubyte, train-labels-idx1-ubyte, "
      "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)",
      dir.string(), stem, stem));
}

Dataset load_pair(const fs::path& dir, const std::string& prefix,
                  PixelRange range) {
  const auto image_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const auto label_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  auto images = read_idx(image_path, kImageRank);
  auto labels = read_idx(label_path, kLabelRank);
  if (images.dims[0] != labels.dims[0]) {
    throw Error(fmt::format("{}: {} labels for {} images in {}",
                            label_path.string(), labels.dims[0],
                            images.dims[0], image_path.string()));
  }
  for (uint8_t label : labels.bytes) {
    if (label >= kNumClasses) {
      throw Error(fmt::format("{}: label {} outside 0..{}",
                              label_path.string(), label, kNumClasses - 1));
    }
  }

  const int64_t n = images.dims[0];
  auto image_tensor =
      torch::from_blob(images.bytes.data(),
                       {n, 1, images.dims[1], images.dims[2]}, torch::kByte)
          .clone();
  auto label_tensor =
      torch::from_blob(labels.bytes.data(), {n}, torch::kByte)
          .to(torch::kInt64);
  return Dataset(image_tensor, label_tensor, kNumClasses, range);
}

}  // namespace

Dataset load_mnist_folder(const fs::path& dir, Split split,
                          int64_t train_size, PixelRange range) {
  if (!fs::is_directory(dir)) {
    throw Error(fmt::format(
        "{}: dataset folder not found; hint: set data.path to a folder of "
        "MNIST-format files (Debian's dataset-fashion-mnist installs "
        "/usr/share/datasets/fashion-mnist)",
        dir.string()));
  }
  if (split == Split::kTest) return load_pair(dir, "t10k", range);

  return take_split(load_pair(dir, "train", range), split, train_size,
                    dir.string());
}

}  // namespace gan::data
