#include "gan/eval/classifier.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "test_util.h"

namespace gan::eval {
namespace {

TEST(ClassifierTest, LearnsTheBarsAndServesAsAnExtractor) {
  // The test images show class k as a bar at a class-dependent row: easy
  // to learn in a few epochs.
  testing::TempDir dir;
  testing::write_mnist_folder(dir / "data", 300, 100);
  data::DataConfig data;
  data.path = (dir / "data").string();
  data.train_size = 300;
  const auto train = data::load_dataset(data, data::Split::kTrain);
  const auto test = data::load_dataset(data, data::Split::kTest);
  ClassifierConfig config;
  config.epochs = 8;
  config.batch_size = 30;
  config.width = 8;
  config.features = 16;
  int epochs_seen = 0;
  const auto report =
      train_classifier(train, test, config, torch::kCPU, dir / "c.ckpt",
                       [&](int64_t, double) { ++epochs_seen; });
  EXPECT_EQ(epochs_seen, 8);
  EXPECT_GT(report.test_accuracy, 0.9);

  auto extractor = load_extractor(dir / "c.ckpt", "", torch::kCPU);
  const auto images = data::to_unit_range(
      test.batch(torch::arange(10), torch::kCPU), test.range());
  EXPECT_EQ(extractor->features(images).sizes(),
            (std::vector<int64_t>{10, 16}));
  const auto p = extractor->probabilities(images);
  EXPECT_TRUE(torch::allclose(p.sum(1), torch::ones({10}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(p.argmax(1), test.labels().slice(0, 0, 10)));
  // RGB images of another size are converted first.
  EXPECT_EQ(extractor->features(torch::rand({2, 3, 32, 32})).sizes(),
            (std::vector<int64_t>{2, 16}));
}

TEST(ClassifierTest, UnlabelledDataIsRefused) {
  testing::TempDir dir;
  data::Dataset points(torch::randn({20, 2}), {}, 0,
                       data::PixelRange::kZeroOne);
  EXPECT_THROW(train_classifier(points, points, ClassifierConfig(), torch::kCPU,
                                dir / "c.ckpt"),
               Error);
}

}  // namespace
}  // namespace gan::eval
