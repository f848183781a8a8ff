// CIFAR-10's binary version (cifar-10-batches-bin): data_batch_1.bin to
// data_batch_5.bin hold the 50,000 training images, test_batch.bin the
// 10,000 test images. Each record is one label byte (0-9) followed by 3,072
// pixel bytes: the 32 x 32 red plane, then green, then blue, row by row.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "gan/data/dataset.h"
#include "gan/data/split.h"

namespace gan::data {

// Parses the records of one batch file already in memory: uint8
// [N, 3, 32, 32] images and int64 [N] labels. Throws gan::Error naming
// `source` when the length is not a whole number of records or a label is
// not 0-9.
Dataset parse_cifar10_batch(std::span<const uint8_t> content,
                            const std::string& source, PixelRange range);

// Loads `split` of the folder `dir`: train is the first `train_size`
// training images, validation the rest of them, test the test batch.
// Throws gan::Error naming the folder or file when one is missing or
// malformed, or when the split is empty.
Dataset load_cifar10_folder(const std::filesystem::path& dir, Split split,
                            int64_t train_size, PixelRange range);

}  // namespace gan::data
