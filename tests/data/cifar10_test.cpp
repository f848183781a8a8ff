#include "gan/data/cifar10.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::data {
namespace {

using testing::TempDir;

// `n` records; record i has label i % 10 and every red byte i, green 100,
// blue 200.
std::string records(int n, int first = 0) {
  std::string out;
  for (int i = first; i < first + n; ++i) {
    out += static_cast<char>(i % 10);
    out += std::string(1024, static_cast<char>(i));
    out += std::string(1024, static_cast<char>(100));
    out += std::string(1024, static_cast<char>(200));
  }
  return out;
}

void write_folder(const std::filesystem::path& dir, int per_batch) {
  std::filesystem::create_directories(dir);
  for (int b = 1; b <= 5; ++b) {
    testing::write_bytes(dir / ("data_batch_" + std::to_string(b) + ".bin"),
                         records(per_batch, (b - 1) * per_batch));
  }
  testing::write_bytes(dir / "test_batch.bin", records(7));
}

std::span<const uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Cifar10Test, RecordsBecomeChannelFirstImagesWithLabels) {
  const auto bytes = records(3);
  const auto data = parse_cifar10_batch(as_span(bytes), "b", PixelRange::kZeroOne);
  ASSERT_EQ(data.size(), 3);
  EXPECT_EQ(data.example_shape(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(data.labels()[2].item<int64_t>(), 2);
  EXPECT_EQ(data.examples()[2][0][5][7].item<uint8_t>(), 2);    // red
  EXPECT_EQ(data.examples()[2][1][31][0].item<uint8_t>(), 100); // green
  EXPECT_EQ(data.examples()[2][2][0][31].item<uint8_t>(), 200); // blue
}

TEST(Cifar10Test, PartialRecordsAreRejected) {
  auto bytes = records(2);
  bytes.pop_back();
  try {
    parse_cifar10_batch(as_span(bytes), "data_batch_1.bin",
                        PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("3073-byte"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("data_batch_1.bin"),
              std::string::npos);
  }
  EXPECT_THROW(parse_cifar10_batch({}, "empty", PixelRange::kZeroOne), Error);
}

TEST(Cifar10Test, LabelsOutsideTenClassesAreRejected) {
  auto bytes = records(2);
  bytes[3073] = 10;
  try {
    parse_cifar10_batch(as_span(bytes), "b", PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("record 1 has label 10"),
              std::string::npos)
        << e.what();
  }
}

TEST(Cifar10Test, FolderSplitsTrainValidationAndTest) {
  TempDir dir;
  write_folder(dir.path(), 4);
  const auto train = load_cifar10_folder(dir.path(), Split::kTrain, 15,
                                         PixelRange::kMinusOneOne);
  const auto valid = load_cifar10_folder(dir.path(), Split::kValidation, 15,
                                         PixelRange::kMinusOneOne);
  const auto test = load_cifar10_folder(dir.path(), Split::kTest, 15,
                                        PixelRange::kMinusOneOne);
  EXPECT_EQ(train.size(), 15);
  EXPECT_EQ(valid.size(), 5);
  EXPECT_EQ(test.size(), 7);
  // Batches are read in order: record 15 comes from data_batch_4.bin.
  EXPECT_EQ(valid.examples()[0][0][0][0].item<uint8_t>(), 15);
  // All training records train when train_size covers them.
  EXPECT_EQ(load_cifar10_folder(dir.path(), Split::kTrain, 50000,
                                PixelRange::kZeroOne)
                .size(),
            20);
  EXPECT_THROW(load_cifar10_folder(dir.path(), Split::kValidation, 50000,
                                   PixelRange::kZeroOne),
               Error);
}

TEST(Cifar10Test, MissingBatchIsNamed) {
  TempDir dir;
  write_folder(dir.path(), 2);
  std::filesystem::remove(dir / "data_batch_3.bin");
  try {
    load_cifar10_folder(dir.path(), Split::kTrain, 5, PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data_batch_3.bin"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace gan::data
