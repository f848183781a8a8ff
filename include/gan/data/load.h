// Datasets named by configuration: which format, where, how examples are
// shaped and scaled. The one entry point the trainer and the evaluators
// load data by.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "gan/data/dataset.h"
#include "gan/data/split.h"
#include "gan/data/toy.h"

namespace gan::data {

// Folder of Debian's dataset-fashion-mnist package, the default dataset.
inline constexpr const char* kFashionMnistPath =
    "/usr/share/datasets/fashion-mnist";

// The on-disk formats gan reads.
enum class DataFormat {
  kMnist,    // four IDX files (MNIST, Fashion-MNIST, KMNIST)
  kCifar10,  // CIFAR-10's binary batches
  kFolder,   // PNG/JPEG files, optionally one subfolder per class
  kToy,      // points drawn from a toy distribution (no files)
};

// What to do with a file in an image folder that cannot be decoded.
enum class BadFilePolicy {
  kSkip,  // leave it out, with a warning naming it
  kStop,  // fail, naming it
};

struct DataConfig {
  // Format of the files under `path`.
  DataFormat format = DataFormat::kMnist;
  // Folder that holds the dataset (unused for toy data).
  std::string path = kFashionMnistPath;
  // Leading training examples used for training; the rest of the training
  // set is the validation split (none when this covers all of it). 50,000
  // as in the paper's code for MNIST.
  int64_t train_size = 50000;
  // Float range of pixels: [0, 1] for sigmoid outputs, [-1, 1] for tanh.
  PixelRange range = PixelRange::kZeroOne;
  // Images are resized (shorter side) and centre-cropped to this square
  // size; 0 keeps the dataset's own size.
  int64_t image_size = 0;
  // 1 (grayscale) or 3 (RGB); 0 keeps the dataset's own.
  int64_t channels = 0;
  // Image folders: skip undecodable files with a warning, or stop.
  BadFilePolicy on_bad_file = BadFilePolicy::kSkip;
  // Toy data: which distribution, and how many training points to draw.
  ToyKind toy = ToyKind::kRing;
  int64_t toy_size = 100000;
};

// Receives warnings about skipped input (the library never prints).
using WarningSink = std::function<void(const std::string&)>;

// Loads `split` of the dataset `config` names, shaped and scaled as it
// says. Throws gan::Error naming the path and what was expected when it is
// missing or malformed, or when the split is empty.
Dataset load_dataset(const DataConfig& config, Split split,
                     const WarningSink& warn = {});

}  // namespace gan::data
