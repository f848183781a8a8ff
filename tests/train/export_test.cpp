// Exported generators rebuilt in PyTorch: tiny nets of each family are
// trained for a few steps, exported, rebuilt from generator.json and
// generator.safetensors by tests/python/rebuild_generator.py (the recipe
// of docs/export.md) and run on the same latents as gan's own G.
#include "gan/train/export.h"

#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/io/npy.h"
#include "gan/io/safetensors.h"
#include "gan/models/prior.h"
#include "gan/models/sampling.h"
#include "gan/train/trainer.h"
#include "test_util.h"

namespace gan::train {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

// The largest |G_gan(z) - G_torch(z)| accepted, in float32. Both sides
// compute the same operations on the same float32 weights and inputs; only
// the order of additions inside matrix products and convolutions may
// differ (another libtorch build, other kernels, other thread counts). The
// pre-activations here are sums of at most a few hundred products below 1
// in magnitude, so such differences stay around 1e-6, and the outputs are
// squashed into [-1, 1] or [0, 1]. Real mistakes move these outputs far
// more: batch norm on batch statistics instead of running ones by about
// 0.5, a wrong class by about 1e-3 even after a few steps of training.
// With Debian's python3-torch, which shares gan's libtorch, the two agree
// bit for bit.
constexpr double kTolerance = 1e-5;

constexpr int kTrainSteps = 3;
constexpr int64_t kSamples = 12;

bool torch_available() {
  return std::system(
             "/usr/bin/python3 -c 'import torch, numpy' "
             ">/dev/null 2>&1") == 0;
}

void dcgan(Config& c) {
  c.model.family = models::ModelFamily::kDcgan;
  c.model.dcgan.g_width = 4;
  c.model.dcgan.d_width = 4;
  c.data.image_size = 16;
  c.optim.kind = OptimizerKind::kAdam;
  c.optim.lr = 2e-3;
  c.optim.lr_decay = 1.0;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_ / "data", 60, 20);
    config_ = testing::tiny_config(dir_ / "data");
  }

  // Trains config_ for a few steps and returns the checkpoint's path.
  fs::path train(const std::string& name) {
    Trainer trainer(config_,
                    data::load_dataset(config_.data, data::Split::kTrain),
                    torch::kCPU);
    for (int i = 0; i < kTrainSteps; ++i) trainer.step();
    const auto path = dir_ / (name + ".ckpt");
    trainer.save_checkpoint(path);
    return path;
  }

  // Exports the checkpoint's G, runs the PyTorch rebuild on fresh latents
  // (and classes) and compares with gan's G(z) in eval mode. Returns gan's
  // outputs.
  torch::Tensor expect_pytorch_matches(const fs::path& checkpoint,
                                       bool raw = false) {
    const auto loaded = load_generator(checkpoint, torch::kCPU, raw);
    const auto folder =
        dir_ / (checkpoint.stem().string() + (raw ? "-raw" : "-export"));
    export_generator(loaded, folder);

    // The same latents and classes for both.
    auto& generator = *loaded.generator;
    torch::manual_seed(11);
    const auto z =
        models::sample_prior(loaded.info.config.model.prior, kSamples,
                             generator.latent_dim(), torch::kCPU);
    torch::Tensor labels;
    std::string labels_arg;
    if (generator.num_classes() > 0) {
      labels =
          torch::randint(0, generator.num_classes(), {kSamples}, torch::kInt64);
      io::write_npy(folder / "labels.npy", labels);
      labels_arg = " --labels " + (folder / "labels.npy").string();
    }
    io::write_npy(folder / "z.npy", z);
    const auto expected =
        models::generate_from(generator, z, torch::kCPU, 500, labels);

    const std::string command = "/usr/bin/python3 " GAN_SOURCE_DIR
                                "/tests/python/rebuild_generator.py " +
                                folder.string() + " " +
                                (folder / "z.npy").string() + " " +
                                (folder / "out.npy").string() + labels_arg +
                                " 2>" + (folder / "stderr.txt").string();
    EXPECT_EQ(std::system(command.c_str()), 0)
        << testing::read_bytes(folder / "stderr.txt");
    if (!fs::exists(folder / "out.npy")) return expected;
    const auto actual = io::read_npy(folder / "out.npy");

    EXPECT_EQ(actual.sizes(), expected.sizes());
    if (actual.sizes() == expected.sizes()) {
      const double error = (actual - expected).abs().max().item<double>();
      EXPECT_LE(error, kTolerance) << checkpoint;
    }
    return expected;
  }

  TempDir dir_;
  Config config_;
};

TEST_F(ExportTest, WritesEveryTensorByNameAndADescription) {
  dcgan(config_);
  const auto checkpoint = train("dcgan");
  const auto loaded = load_generator(checkpoint, torch::kCPU);
  const auto files = export_generator(loaded, dir_ / "out" / "nested");
  EXPECT_EQ(files.weights, dir_ / "out" / "nested" / kExportWeightsFile);

  // Every parameter and buffer (batch-norm statistics included), equal.
  const auto weights = io::read_safetensors(files.weights);
  size_t count = 0;
  for (const auto& p : loaded.generator->named_parameters()) {
    EXPECT_TRUE(torch::equal(weights.tensors.at(p.key()), p.value()))
        << p.key();
    ++count;
  }
  for (const auto& b : loaded.generator->named_buffers()) {
    EXPECT_TRUE(torch::equal(weights.tensors.at(b.key()), b.value()))
        << b.key();
    ++count;
  }
  EXPECT_EQ(weights.tensors.size(), count);
  // Batch-norm statistics are exported with the weights.
  EXPECT_GT(weights.tensors.at("norms.0.num_batches_tracked").item<int64_t>(),
            0);
  EXPECT_EQ(weights.metadata.at("format"), "gan generator");

  const auto description =
      nlohmann::json::parse(testing::read_bytes(files.description));
  EXPECT_EQ(description["weights"], kExportWeightsFile);
  EXPECT_EQ(description["checkpoint"]["step"], kTrainSteps);
  EXPECT_EQ(description["checkpoint"]["weights"], "trained");
  EXPECT_EQ(description["family"], "dcgan");
}

TEST_F(ExportTest, PaperMlpWithSigmoidRebuildsInPyTorch) {
  if (!torch_available()) GTEST_SKIP() << "python3-torch is not installed";
  const auto out = expect_pytorch_matches(train("mlp"));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{kSamples, 1, 28, 28}));
}

TEST_F(ExportTest, DcganWithBatchNormAndTanhRebuildsInPyTorch) {
  if (!torch_available()) GTEST_SKIP() << "python3-torch is not installed";
  dcgan(config_);
  config_.data.range = data::PixelRange::kMinusOneOne;
  config_.model.prior = models::PriorKind::kNormal;
  const auto out = expect_pytorch_matches(train("dcgan"));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{kSamples, 1, 16, 16}));
  EXPECT_LT(out.min().item<double>(), 0.0);  // tanh, not sigmoid
}

TEST_F(ExportTest, ConditionalNetsRebuildInPyTorch) {
  if (!torch_available()) GTEST_SKIP() << "python3-torch is not installed";
  config_.model.conditional = true;
  expect_pytorch_matches(train("cond-mlp"));

  // DCGAN with layer norm (GroupNorm with one group) and sigmoid output.
  dcgan(config_);
  config_.model.dcgan.g_norm = models::NormKind::kLayer;
  expect_pytorch_matches(train("cond-dcgan"));
}

TEST_F(ExportTest, MovingAverageAndRawWeightsBothRebuild) {
  if (!torch_available()) GTEST_SKIP() << "python3-torch is not installed";
  dcgan(config_);
  config_.train.ema_decay = 0.5;
  const auto checkpoint = train("ema");
  const auto averaged = expect_pytorch_matches(checkpoint);
  const auto raw = expect_pytorch_matches(checkpoint, /*raw=*/true);
  EXPECT_FALSE(torch::allclose(averaged, raw));

  const auto description = [&](const std::string& folder) {
    return nlohmann::json::parse(
        testing::read_bytes(dir_ / folder / kExportDescriptionFile));
  };
  EXPECT_EQ(description("ema-export")["checkpoint"]["weights"],
            "moving_average");
  EXPECT_EQ(description("ema-raw")["checkpoint"]["weights"], "trained");
}

TEST_F(ExportTest, UnwritableFolderIsAnError) {
  const auto checkpoint = train("mlp");
  testing::write_bytes(dir_ / "file", "not a folder");
  EXPECT_THROW(export_generator(load_generator(checkpoint, torch::kCPU),
                                dir_ / "file" / "out"),
               Error);
}

}  // namespace
}  // namespace gan::train
