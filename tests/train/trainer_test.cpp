#include "gan/train/trainer.h"

#include <fstream>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/io/run_dir.h"
#include "gan/models/prior.h"
#include "gan/train/snapshot.h"
#include "test_util.h"

namespace gan::train {
namespace {

using testing::TempDir;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_.path() / "data", 60, 20);
    config_ = testing::tiny_config(dir_.path() / "data");
  }

  data::Dataset train_data() const {
    return data::load_dataset(config_.data, data::Split::kTrain);
  }

  // V(D, G) on fixed batches, with D in eval mode (no dropout).
  double objective(Trainer& t, const torch::Tensor& real,
                   const torch::Tensor& z) {
    torch::NoGradGuard no_grad;
    t.discriminator().eval();
    const auto fake = t.generator().forward(z, {});
    const double v =
        torch::log_sigmoid(t.discriminator().forward(real, {}))
            .mean()
            .item<double>() +
        torch::log_sigmoid(-t.discriminator().forward(fake, {}))
            .mean()
            .item<double>();
    t.discriminator().train();
    return v;
  }

  // The latents the next prior draw will produce, without consuming them.
  torch::Tensor peek_latents(int64_t n) const {
    auto generator = at::detail::getDefaultCPUGenerator();
    const auto state = generator.get_state();
    auto z = models::sample_prior(config_.model.prior, n,
                                  config_.model.latent_dim, torch::kCPU);
    generator.set_state(state);
    return z;
  }

  TempDir dir_;
  Config config_;
};

std::vector<torch::Tensor> all_parameters(Trainer& t) {
  auto params = t.generator().parameters();
  for (const auto& p : t.discriminator().parameters()) params.push_back(p);
  return params;
}

bool same_parameters(Trainer& a, Trainer& b) {
  const auto pa = all_parameters(a);
  const auto pb = all_parameters(b);
  if (pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (!torch::equal(pa[i], pb[i])) return false;
  }
  return true;
}

TEST_F(TrainerTest, DiscriminatorStepRaisesTheObjectiveOnItsBatch) {
  // No dropout and plain gradient steps: D's update is gradient ascent on
  // exactly V(D, G) of the batches it sees.
  config_.model.mlp.d_input_keep = 1.0;
  config_.model.mlp.d_hidden_keep = 1.0;
  config_.optim.momentum = 0.0;
  config_.optim.lr = 0.05;
  Trainer trainer(config_, train_data(), torch::kCPU);
  const auto real =
      train_data().batch(torch::arange(10, torch::kInt64), torch::kCPU);

  // The step will draw these latents.
  const auto z = peek_latents(10);

  const auto g_before = trainer.generator().parameters()[0].clone();
  const double before = objective(trainer, real, z);
  trainer.discriminator_step(real, {});
  const double after = objective(trainer, real, z);
  EXPECT_GT(after, before);
  // G's weights are not touched by D's step.
  EXPECT_TRUE(torch::equal(trainer.generator().parameters()[0], g_before));
}

TEST_F(TrainerTest, GeneratorStepFoolsDMoreAndLeavesDAlone) {
  // A D with larger weights passes G a gradient well above rounding.
  config_.model.mlp.d_init_range = 0.5;
  config_.model.mlp.d_input_keep = 1.0;
  config_.model.mlp.d_hidden_keep = 1.0;
  config_.optim.momentum = 0.0;
  config_.optim.lr = 0.05;
  Trainer trainer(config_, train_data(), torch::kCPU);
  const auto z = peek_latents(10);

  // mean log D(G(z)): what the non-saturating G step ascends.
  auto d_of_fakes = [&] {
    torch::NoGradGuard no_grad;
    return torch::log_sigmoid(trainer.discriminator().forward(
                                  trainer.generator().forward(z, {}), {}))
        .mean()
        .item<double>();
  };
  const auto d_before = trainer.discriminator().parameters()[0].clone();
  const double before = d_of_fakes();
  trainer.generator_step(10);
  EXPECT_GT(d_of_fakes(), before);
  EXPECT_TRUE(torch::equal(trainer.discriminator().parameters()[0], d_before));
  // D's parameters are trainable again after G's step.
  for (const auto& p : trainer.discriminator().parameters()) {
    EXPECT_TRUE(p.requires_grad());
  }
}

TEST_F(TrainerTest, StepsCountEpochsAndApplyTheSchedules) {
  config_.train.d_steps = 2;
  Trainer trainer(config_, train_data(), torch::kCPU);
  // 50 examples / batch 10 = 5 batches; k = 2 uses 4 of them per epoch.
  EXPECT_EQ(trainer.steps_per_epoch(), 2);
  EXPECT_EQ(trainer.total_steps(), 4);
  trainer.step();
  trainer.step();
  const auto stats = trainer.step();
  EXPECT_EQ(stats.step, 3);
  EXPECT_EQ(stats.epoch, 1);
  EXPECT_NEAR(stats.lr, 0.1 / 1.000004 / 1.000004, 1e-12);
  EXPECT_GT(stats.d_real, 0.0);
  EXPECT_LT(stats.d_real, 1.0);
}

TEST_F(TrainerTest, ResumingGivesBitIdenticalWeights) {
  // 2N steps in one go against N steps, checkpoint, a new trainer, N more.
  // N = 7 crosses an epoch boundary (5 steps per epoch), where the momentum
  // schedule and the data order change.
  config_.train.epochs = 10;
  config_.train.max_steps = 14;
  Trainer straight(config_, train_data(), torch::kCPU);
  straight.fit(nullptr, nullptr);
  ASSERT_EQ(straight.steps_done(), 14);

  config_.train.max_steps = 7;
  Trainer first(config_, train_data(), torch::kCPU);
  first.fit(nullptr, nullptr);
  first.save_checkpoint(dir_ / "half.ckpt");
  // Disturb the global random state, as a new process would have it.
  torch::manual_seed(12345);

  config_.train.max_steps = 14;
  Trainer second(config_, train_data(), torch::kCPU);
  second.load_checkpoint(dir_ / "half.ckpt");
  EXPECT_EQ(second.steps_done(), 7);
  second.fit(nullptr, nullptr);
  EXPECT_TRUE(same_parameters(straight, second));
}

TEST_F(TrainerTest, CheckpointRestoresNetsOptimisersAndProgress) {
  Trainer a(config_, train_data(), torch::kCPU);
  a.step();
  a.step();
  a.save_checkpoint(dir_ / "a.ckpt");

  auto other = config_;
  other.train.seed = 77;
  Trainer b(other, train_data(), torch::kCPU);
  EXPECT_FALSE(same_parameters(a, b));
  b.load_checkpoint(dir_ / "a.ckpt");
  EXPECT_TRUE(same_parameters(a, b));
  EXPECT_EQ(b.steps_done(), 2);

  const auto info = read_checkpoint_info(dir_ / "a.ckpt");
  EXPECT_EQ(info.step, 2);
  EXPECT_EQ(info.spec.sample_shape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(to_toml(info.config), to_toml(config_));

  auto loaded = load_generator(dir_ / "a.ckpt", torch::kCPU);
  const auto z = torch::randn({3, config_.model.latent_dim});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(loaded.generator->forward(z, {}),
                           a.generator().forward(z, {})));
}

TEST_F(TrainerTest, CheckpointOfAnotherModelIsRefusedByName) {
  Trainer a(config_, train_data(), torch::kCPU);
  a.save_checkpoint(dir_ / "a.ckpt");
  auto wider = config_;
  wider.model.mlp.g_hidden = {17};
  Trainer b(wider, train_data(), torch::kCPU);
  try {
    b.load_checkpoint(dir_ / "a.ckpt");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.ckpt"), std::string::npos);
  }
}

TEST_F(TrainerTest, FitFillsTheRunFolder) {
  config_.train.epochs = 3;
  config_.log.keep_checkpoints = 2;
  Trainer trainer(config_, train_data(), torch::kCPU);
  auto run = io::RunDir::create(dir_ / "run");
  trainer.fit(&run, nullptr);

  namespace fs = std::filesystem;
  EXPECT_TRUE(fs::exists(run.config_file()));
  for (int epoch = 0; epoch <= 3; ++epoch) {
    EXPECT_TRUE(fs::exists(run.grid_file(epoch))) << epoch;
  }
  EXPECT_EQ(run.step_checkpoints().size(), 2u);
  EXPECT_EQ(read_checkpoint_info(run.latest_checkpoint()).step, 15);

  // One metrics line every 2 steps plus the last: steps 2, 4, ..., 14, 15.
  std::ifstream metrics(run.metrics_file());
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) ++lines;
  EXPECT_EQ(lines, 8);
}

TEST_F(TrainerTest, StopRequestEndsAtAStepBoundaryWithACheckpoint) {
  class StopAfterThree : public TrainObserver {
   public:
    explicit StopAfterThree(Trainer& t) : trainer_(t) {}
    void on_step(int64_t step, int64_t, int64_t, double) override {
      if (step == 3) trainer_.request_stop();
    }
    Trainer& trainer_;
  };
  Trainer trainer(config_, train_data(), torch::kCPU);
  auto run = io::RunDir::create(dir_ / "run");
  StopAfterThree observer(trainer);
  trainer.fit(&run, &observer);
  EXPECT_EQ(trainer.steps_done(), 3);
  EXPECT_EQ(read_checkpoint_info(run.latest_checkpoint()).step, 3);
}

TEST_F(TrainerTest, BatchLargerThanTheDataIsAClearError) {
  config_.train.batch_size = 51;
  EXPECT_THROW(Trainer(config_, train_data(), torch::kCPU), Error);
}

}  // namespace
}  // namespace gan::train
