// Datasets named by configuration: which format, where, how pixels are
// scaled. The one entry point the trainer and the evaluators load data by.
#pragma once

#include <cstdint>
#include <string>

#include "gan/data/dataset.h"
#include "gan/data/split.h"

namespace gan::data {

// Folder of Debian's dataset-fashion-mnist package, the default dataset.
inline constexpr const char* kFashionMnistPath =
    "/usr/share/datasets/fashion-mnist";

// The on-disk formats gan reads.
enum class DataFormat {
  kMnist,  // four IDX files (MNIST, Fashion-MNIST, KMNIST)
};

struct DataConfig {
  // Format of the files under `path`.
  DataFormat format = DataFormat::kMnist;
  // Folder that holds the dataset.
  std::string path = kFashionMnistPath;
  // Leading training examples used for training; the rest of the training
  // file is the validation split. 50,000 as in the paper's code.
  int64_t train_size = 50000;
  // Float range of pixels: [0, 1] for sigmoid outputs, [-1, 1] for tanh.
  PixelRange range = PixelRange::kZeroOne;
};

// Loads `split` of the dataset `config` names. Throws gan::Error naming the
// path and what was expected when it is missing or malformed.
Dataset load_dataset(const DataConfig& config, Split split);

}  // namespace gan::data
