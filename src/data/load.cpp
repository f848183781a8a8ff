// Dispatch from a data config to the reader of its format, then the
// shaping every image format shares.
#include "gan/data/load.h"

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/data/cifar10.h"
#include "gan/data/image_folder.h"
#include "gan/data/mnist.h"
#include "gan/data/splits.h"
#include "gan/data/transforms.h"

namespace gan::data {
namespace {

// Toy splits are independent draws; these seeds keep them apart.
constexpr uint64_t kToySeeds[] = {0x746f7931, 0x746f7932, 0x746f7933};
constexpr int64_t kToyHeldOut = 10000;

Dataset load_toy(const DataConfig& config, Split split) {
  const int64_t n = split == Split::kTrain ? config.toy_size : kToyHeldOut;
  auto [points, modes] =
      sample_toy(config.toy, n, kToySeeds[static_cast<int>(split)]);
  const auto classes = toy_mixture(config.toy).means.size(0);
  return Dataset(points, modes, classes, config.range);
}

Dataset load_folder(const DataConfig& config, Split split,
                    const WarningSink& warn) {
  if (split == Split::kTest) {
    throw Error(fmt::format(
        "{}: an image folder has no test split; hint: score against the "
        "validation split, or another folder",
        config.path));
  }
  ImageFolderOptions options;
  options.image_size = config.image_size;
  options.channels = config.channels;
  options.range = config.range;
  options.on_bad_file = config.on_bad_file;
  return take_split(load_image_folder(config.path, options, warn), split,
                    config.train_size, config.path);
}

// Resizes and converts channels as the config asks.
Dataset shape_images(Dataset data, const DataConfig& config) {
  auto images = data.examples();
  if (config.image_size > 0) images = resize_and_crop(images, config.image_size);
  if (config.channels > 0) images = convert_channels(images, config.channels);
  if (images.is_same(data.examples())) return data;
  return Dataset(images, data.labels(), data.num_classes(), data.range());
}

}  // namespace

Dataset load_dataset(const DataConfig& config, Split split,
                     const WarningSink& warn) {
  switch (config.format) {
    case DataFormat::kMnist:
      return shape_images(load_mnist_folder(config.path, split,
                                            config.train_size, config.range),
                          config);
    case DataFormat::kCifar10:
      return shape_images(load_cifar10_folder(config.path, split,
                                              config.train_size, config.range),
                          config);
    case DataFormat::kFolder:
      return load_folder(config, split, warn);
    case DataFormat::kToy:
      return load_toy(config, split);
  }
  throw Error("data.format: unknown format");
}

}  // namespace gan::data
