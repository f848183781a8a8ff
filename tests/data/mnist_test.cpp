#include "gan/data/mnist.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "test_util.h"

namespace gan::data {
namespace {

using testing::TempDir;

using testing::contains;

TEST(MnistTest, SplitsFollowThePapersCode) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20);
  const auto train = load_mnist_folder(dir.path(), Split::kTrain, 50,
                                       PixelRange::kZeroOne);
  const auto valid = load_mnist_folder(dir.path(), Split::kValidation, 50,
                                       PixelRange::kZeroOne);
  const auto test = load_mnist_folder(dir.path(), Split::kTest, 50,
                                      PixelRange::kZeroOne);
  EXPECT_EQ(train.size(), 50);
  EXPECT_EQ(valid.size(), 10);
  EXPECT_EQ(test.size(), 20);
  EXPECT_EQ(train.example_shape(), (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(train.num_classes(), 10);
  // Validation starts right after the training part of the same file.
  EXPECT_EQ(valid.labels()[0].item<int64_t>(), 50 % 10);
  EXPECT_EQ(train.labels()[49].item<int64_t>(), 49 % 10);
}

TEST(MnistTest, ReadsGzippedFolders) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20, 28, /*gzipped=*/true);
  const auto train = load_mnist_folder(dir.path(), Split::kTrain, 50,
                                       PixelRange::kMinusOneOne);
  EXPECT_EQ(train.size(), 50);
  const auto batch = train.batch(torch::arange(5), torch::kCPU);
  EXPECT_GE(batch.min().item<float>(), -1.0f);
  EXPECT_LE(batch.max().item<float>(), 1.0f);
}

TEST(MnistTest, MissingFileIsNamedWithTheExpectedLayout) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20);
  std::filesystem::remove(dir / "t10k-labels-idx1-ubyte");
  try {
    load_mnist_folder(dir.path(), Split::kTest, 50, PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "t10k-labels-idx1-ubyte")) << e.what();
  }
}

TEST(MnistTest, ImageAndLabelCountsMustAgree) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20);
  testing::write_bytes(dir / "train-labels-idx1-ubyte",
                       testing::idx_bytes({59}, std::vector<uint8_t>(59, 1)));
  try {
    load_mnist_folder(dir.path(), Split::kTrain, 50, PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "59 labels for 60 images")) << e.what();
  }
}

TEST(MnistTest, LabelsOutsideTenClassesAreRejected) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20);
  testing::write_bytes(dir / "t10k-labels-idx1-ubyte",
                       testing::idx_bytes({20}, std::vector<uint8_t>(20, 12)));
  EXPECT_THROW(
      load_mnist_folder(dir.path(), Split::kTest, 50, PixelRange::kZeroOne),
      Error);
}

TEST(MnistTest, ValidationNeedsTrainSizeToLeaveSomeImages) {
  TempDir dir;
  testing::write_mnist_folder(dir.path(), 60, 20);
  EXPECT_EQ(load_mnist_folder(dir.path(), Split::kTrain, 60,
                              PixelRange::kZeroOne)
                .size(),
            60);
  try {
    load_mnist_folder(dir.path(), Split::kValidation, 60,
                      PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "data.train_size")) << e.what();
  }
}

TEST(MnistTest, MissingFolderGivesAHint) {
  try {
    load_mnist_folder("/nonexistent/gan-data", Split::kTrain, 50,
                      PixelRange::kZeroOne);
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/gan-data"));
    EXPECT_TRUE(contains(e.what(), "hint"));
  }
}

TEST(MnistTest, DebianFashionMnistHasThePapersSplitSizes) {
  if (!std::filesystem::exists(kFashionMnistPath)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  DataConfig config;
  EXPECT_EQ(load_dataset(config, Split::kTrain).size(), 50000);
  EXPECT_EQ(load_dataset(config, Split::kValidation).size(), 10000);
  const auto test = load_dataset(config, Split::kTest);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.example_shape(), (std::vector<int64_t>{1, 28, 28}));
}

}  // namespace
}  // namespace gan::data
