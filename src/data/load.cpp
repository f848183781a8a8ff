// Dispatch from a data config to the reader of its format.
#include "gan/data/load.h"

#include "gan/data/mnist.h"

namespace gan::data {

Dataset load_dataset(const DataConfig& config, Split split) {
  switch (config.format) {
    case DataFormat::kMnist:
      return load_mnist_folder(config.path, split, config.train_size,
                               config.range);
  }
  return load_mnist_folder(config.path, split, config.train_size,
                           config.range);
}

}  // namespace gan::data
