// MNIST-format folders (MNIST, Fashion-MNIST, KMNIST): four IDX files with
// the standard names, plain or gzip, split as the GAN paper's code does.
#pragma once

#include <cstdint>
#include <filesystem>

#include "gan/data/dataset.h"
#include "gan/data/split.h"

namespace gan::data {

// Loads `split` of the folder `dir`, which holds train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
// (each optionally ending in .gz). The train split is the first `train_size`
// training images, validation the rest of the training file, test the t10k
// file (see take_split). Returns uint8 [N, 1, H, W] images with 10-class
// labels. Throws gan::Error naming the folder or file when a file is
// missing or malformed, when images and labels disagree in count, or when
// the split is empty.
Dataset load_mnist_folder(const std::filesystem::path& dir, Split split,
                          int64_t train_size, PixelRange range);

}  // namespace gan::data
