// CIFAR-10 binary batches.
#include "gan/data/cifar10.h"

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/data/splits.h"

namespace gan::data {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;
constexpr int64_t kRecord = 1 + kPixels;
constexpr int64_t kNumClasses = 10;
constexpr int kTrainBatches = 5;

Dataset read_batches(const std::vector<fs::path>& files, PixelRange range) {
  std::vector<torch::Tensor> images, labels;
  for (const auto& file : files) {
    if (!fs::is_regular_file(file)) {
      throw Error(fmt::format(
          "{}: missing; expected a CIFAR-10 binary folder "
          "(data_batch_1.bin .. data_batch_5.bin, test_batch.bin)",
          file.string()));
    }
    const auto content = read_file(file);
    auto part = parse_cifar10_batch(content, file.string(), range);
    images.push_back(part.examples());
    labels.push_back(part.labels());
  }
  return Dataset(torch::cat(images), torch::cat(labels), kNumClasses, range);
}

}  // namespace

Dataset parse_cifar10_batch(std::span<const uint8_t> content,
                            const std::string& source, PixelRange range) {
  const auto size = static_cast<int64_t>(content.size());
  if (size == 0 || size % kRecord != 0) {
    throw Error(fmt::format(
        "{}: {} bytes is not a whole number of {}-byte CIFAR-10 records "
        "(truncated or not a CIFAR-10 batch)",
        source, size, kRecord));
  }
  const int64_t n = size / kRecord;
  const auto records =
      torch::from_blob(const_cast<uint8_t*>(content.data()), {n, kRecord},
                       torch::kByte);
  const auto labels = records.select(1, 0).to(torch::kInt64);
  const auto bad = (labels >= kNumClasses).nonzero();
  if (bad.numel() > 0) {
    const int64_t record = bad[0][0].item<int64_t>();
    throw Error(fmt::format("{}: record {} has label {}; expected 0 to 9",
                            source, record,
                            labels[record].item<int64_t>()));
  }
  auto images =
      records.slice(1, 1, kRecord).reshape({n, 3, kSide, kSide}).clone();
  return Dataset(images, labels, kNumClasses, range);
}

Dataset load_cifar10_folder(const fs::path& dir, Split split,
                            int64_t train_size, PixelRange range) {
  if (!fs::is_directory(dir)) {
    throw Error(fmt::format(
        "{}: dataset folder not found; hint: set data.path to the "
        "cifar-10-batches-bin folder of the CIFAR-10 binary version",
        dir.string()));
  }
  if (split == Split::kTest) return read_batches({dir / "test_batch.bin"}, range);
  std::vector<fs::path> files;
  for (int i = 1; i <= kTrainBatches; ++i) {
    files.push_back(dir / fmt::format("data_batch_{}.bin", i));
  }
  return take_split(read_batches(files, range), split, train_size,
                    dir.string());
}

}  // namespace gan::data
