#include "gan/train/trainer.h"

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
    const double v = torch::log_sigmoid(t.discriminator().forward(real, {}))
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

// Every parameter and buffer of G, D and G's moving average.
std::vector<torch::Tensor> all_parameters(Trainer& t) {
  std::vector<torch::Tensor> all;
  for (torch::nn::Module* m :
       {static_cast<torch::nn::Module*>(&t.generator()),
        static_cast<torch::nn::Module*>(&t.discriminator()),
        static_cast<torch::nn::Module*>(&t.sampling_generator())}) {
    for (const auto& p : m->parameters()) all.push_back(p);
    for (const auto& b : m->buffers()) all.push_back(b);
  }
  return all;
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

// The hand-written MLP passes (train.fast_path) against autograd: without
// dropout both compute the same step, so from the same weights and the
// same random draws they give the same losses and the same new weights, up
// to float32 summation order (tolerance: 1e-4 relative, 1e-6 absolute).
class FastPathTest : public TrainerTest,
                     public ::testing::WithParamInterface<losses::LossKind> {};

TEST_P(FastPathTest, StepsMatchTheAutogradSteps) {
  config_.model.mlp.d_input_keep = 1.0;
  config_.model.mlp.d_hidden_keep = 1.0;
  config_.model.mlp.d_init_range = 0.3;
  config_.loss.kind = GetParam();
  config_.train.fast_path = true;
  Trainer fast(config_, train_data(), torch::kCPU);
  config_.train.fast_path = false;
  Trainer plain(config_, train_data(), torch::kCPU);
  ASSERT_TRUE(fast.uses_fast_path());
  ASSERT_FALSE(plain.uses_fast_path());
  ASSERT_TRUE(same_parameters(fast, plain));

  const auto real =
      train_data().batch(torch::arange(10, torch::kInt64), torch::kCPU);
  auto generator = at::detail::getDefaultCPUGenerator();
  auto expect_close = [&](const torch::Tensor& a, const torch::Tensor& b) {
    EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-6))
        << (a - b).abs().max().item<double>();
  };
  for (int step = 0; step < 3; ++step) {
    // Both start each step from the same generator state.
    const auto state = generator.get_state();
    const auto f = fast.discriminator_step(real, {});
    generator.set_state(state);
    const auto p = plain.discriminator_step(real, {});
    for (size_t i = 0; i < 3; ++i) expect_close(f[i], p[i]);

    const auto state_g = generator.get_state();
    const auto loss_f = fast.generator_step(10);
    generator.set_state(state_g);
    const auto loss_p = plain.generator_step(10);
    expect_close(loss_f, loss_p);
  }
  const auto pf = all_parameters(fast);
  const auto pp = all_parameters(plain);
  ASSERT_EQ(pf.size(), pp.size());
  for (size_t i = 0; i < pf.size(); ++i) expect_close(pf[i], pp[i]);
  // And the steps moved the weights: the comparison is not vacuous.
  Trainer untouched(config_, train_data(), torch::kCPU);
  EXPECT_FALSE(same_parameters(untouched, fast));
}

INSTANTIATE_TEST_SUITE_P(Losses, FastPathTest,
                         ::testing::Values(losses::LossKind::kNonSaturating,
                                           losses::LossKind::kMinimax,
                                           losses::LossKind::kLeastSquares,
                                           losses::LossKind::kWasserstein,
                                           losses::LossKind::kHinge));

TEST_F(TrainerTest, FastPathOnlyWhereItApplies) {
  EXPECT_TRUE(Trainer(config_, train_data(), torch::kCPU).uses_fast_path());
  config_.loss.r1_penalty = 1.0;
  EXPECT_FALSE(Trainer(config_, train_data(), torch::kCPU).uses_fast_path());
  config_.loss.r1_penalty = 0.0;
  config_.model.spectral_norm = true;
  EXPECT_FALSE(Trainer(config_, train_data(), torch::kCPU).uses_fast_path());
}

TEST_F(TrainerTest, Bf16NeedsTheFastPath) {
  config_.train.precision = "bf16";
  Trainer trainer(config_, train_data(), torch::kCPU);
  EXPECT_TRUE(trainer.uses_fast_path());
  trainer.step();
  for (const auto& p : all_parameters(trainer)) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
  }
  config_.model.spectral_norm = true;
  try {
    Trainer(config_, train_data(), torch::kCPU);
    FAIL() << "bf16 without the fast path was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fast path"), std::string::npos);
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
  EXPECT_FALSE(fs::exists(run.figure1_log()));
  EXPECT_TRUE(fs::exists(run.config_file()));
  for (int epoch = 0; epoch <= 3; ++epoch) {
    EXPECT_TRUE(fs::exists(run.grid_file(epoch))) << epoch;
  }
  EXPECT_EQ(run.step_checkpoints().size(), 2u);
  EXPECT_EQ(read_checkpoint_info(run.latest_checkpoint()).step, 15);
  EXPECT_TRUE(fs::exists(run.report_file()));

  // One metrics line every 2 steps plus the last: steps 2, 4, ..., 14, 15.
  std::ifstream metrics(run.metrics_file());
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) ++lines;
  EXPECT_EQ(lines, 8);
}

TEST_F(TrainerTest, ToyRunsDrawScattersAndFigureOne) {
  namespace fs = std::filesystem;
  config_.data.format = data::DataFormat::kToy;
  config_.data.toy_size = 50;
  config_.model.latent_dim = 2;
  for (auto toy : {data::ToyKind::kRing, data::ToyKind::kGaussian1d}) {
    config_.data.toy = toy;
    Trainer trainer(config_,
                    data::load_dataset(config_.data, data::Split::kTrain),
                    torch::kCPU);
    const auto folder = dir_ / (toy == data::ToyKind::kRing ? "ring" : "1d");
    auto run = io::RunDir::create(folder);
    trainer.fit(&run, nullptr);
    EXPECT_TRUE(fs::exists(run.grid_file(2)));
    EXPECT_EQ(fs::exists(run.samples_dir() / "figure1.png"),
              toy == data::ToyKind::kGaussian1d);
  }
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

// Poisons one of `net`'s weights after step `at`, as a diverging update
// would.
class PoisonAfter : public TrainObserver {
 public:
  PoisonAfter(torch::nn::Module& net, int64_t at, float value)
      : net_(net), at_(at), value_(value) {}
  void on_step(int64_t step, int64_t, int64_t, double) override {
    if (step != at_) return;
    torch::NoGradGuard no_grad;
    net_.parameters().back().view(-1)[0] = value_;
  }

 private:
  torch::nn::Module& net_;
  int64_t at_;
  float value_;
};

std::string fit_error(Trainer& trainer, io::RunDir& run,
                      TrainObserver& observer) {
  try {
    trainer.fit(&run, &observer);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST_F(TrainerTest, NanInTheWeightsStopsBeforeTheNextCheckpoint) {
  // Epoch 1 ends at step 5 with a checkpoint; G turns NaN after step 8,
  // and that step's log line (every 2 steps) finds it, naming G.
  config_.train.epochs = 4;
  Trainer trainer(config_, train_data(), torch::kCPU);
  auto run = io::RunDir::create(dir_ / "run");
  PoisonAfter poison(trainer.generator(), 8, NAN);
  const auto message = fit_error(trainer, run, poison);
  EXPECT_NE(message.find("diverged"), std::string::npos) << message;
  EXPECT_NE(message.find("G's weights"), std::string::npos) << message;
  EXPECT_NE(message.find("step 8"), std::string::npos) << message;
  EXPECT_EQ(read_checkpoint_info(run.latest_checkpoint()).step, 5);
  EXPECT_EQ(run.step_checkpoints().size(), 1u);
  // No metrics line past the last good one.
  std::ifstream metrics(run.metrics_file());
  int64_t last = 0;
  for (std::string line; std::getline(metrics, line);) {
    last = nlohmann::json::parse(line)["step"].get<int64_t>();
  }
  EXPECT_EQ(last, 6);
}

TEST_F(TrainerTest, InfiniteWeightsInDAreCaughtBeforeACheckpoint) {
  // Step 5 ends epoch 1: neither its grid nor its checkpoint is written,
  // and D is named.
  config_.train.epochs = 4;
  config_.log.every_steps = 100;
  Trainer trainer(config_, train_data(), torch::kCPU);
  auto run = io::RunDir::create(dir_ / "run");
  PoisonAfter poison(trainer.discriminator(), 5, INFINITY);
  const auto message = fit_error(trainer, run, poison);
  EXPECT_NE(message.find("D's weights"), std::string::npos) << message;
  EXPECT_NE(message.find("step 5"), std::string::npos) << message;
  EXPECT_TRUE(run.step_checkpoints().empty());
  EXPECT_FALSE(std::filesystem::exists(run.grid_file(1)));
}

TEST_F(TrainerTest, ANonFiniteLossStopsAtItsStep) {
  Trainer trainer(config_, train_data(), torch::kCPU);
  trainer.step();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : trainer.discriminator().parameters()) p.fill_(NAN);
  }
  try {
    trainer.step();
    FAIL() << "a NaN loss went unnoticed";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("step 2"), std::string::npos) << message;
    EXPECT_NE(message.find("D's loss is nan"), std::string::npos) << message;
  }
}

// Every model family and loss goes through the same loop; each must save
// and restore all of its state (EMA weights, spectral-norm vectors, batch
// norm statistics) so that a resumed run is bit-identical.
struct Variant {
  const char* name;
  void (*apply)(Config&);
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class TrainerVariantTest : public TrainerTest,
                           public ::testing::WithParamInterface<Variant> {};

TEST_P(TrainerVariantTest, ResumingGivesBitIdenticalWeights) {
  GetParam().apply(config_);
  config_.train.epochs = 10;
  config_.train.max_steps = 6;
  Trainer straight(config_, train_data(), torch::kCPU);
  straight.fit(nullptr, nullptr);

  config_.train.max_steps = 3;
  Trainer first(config_, train_data(), torch::kCPU);
  first.fit(nullptr, nullptr);
  first.save_checkpoint(dir_ / "half.ckpt");
  torch::manual_seed(999);

  config_.train.max_steps = 6;
  Trainer second(config_, train_data(), torch::kCPU);
  second.load_checkpoint(dir_ / "half.ckpt");
  second.fit(nullptr, nullptr);
  EXPECT_TRUE(same_parameters(straight, second));
  EXPECT_FALSE(same_parameters(first, second));
}

void dcgan(Config& c) {
  c.model.family = models::ModelFamily::kDcgan;
  c.model.latent_dim = 8;
  c.model.dcgan.g_width = 4;
  c.model.dcgan.d_width = 4;
  c.data.range = data::PixelRange::kMinusOneOne;
  c.data.image_size = 16;
  c.optim.kind = OptimizerKind::kAdam;
  c.optim.lr = 2e-4;
  c.optim.lr_decay = 1.0;
}

INSTANTIATE_TEST_SUITE_P(
    Families, TrainerVariantTest,
    ::testing::Values(Variant{"PaperMlp", [](Config&) {}},
                      Variant{"Dcgan", dcgan},
                      Variant{"HingeSpectralNorm",
                              [](Config& c) {
                                dcgan(c);
                                c.model.spectral_norm = true;
                                c.loss.kind = losses::LossKind::kHinge;
                              }},
                      Variant{"WganGp",
                              [](Config& c) {
                                dcgan(c);
                                c.model.dcgan.d_norm = models::NormKind::kNone;
                                c.loss.kind = losses::LossKind::kWasserstein;
                                c.loss.gradient_penalty = 10;
                                c.train.d_steps = 5;
                              }},
                      Variant{"ConditionalEma",
                              [](Config& c) {
                                c.model.conditional = true;
                                c.train.ema_decay = 0.9;
                              }},
                      Variant{"ConditionalDcganEma",
                              [](Config& c) {
                                dcgan(c);
                                c.model.conditional = true;
                                c.train.ema_decay = 0.5;
                              }},
                      Variant{"LeastSquaresR1",
                              [](Config& c) {
                                c.loss.kind = losses::LossKind::kLeastSquares;
                                c.loss.r1_penalty = 0.1;
                              }},
                      Variant{"ToyRing",
                              [](Config& c) {
                                c.data.format = data::DataFormat::kToy;
                                c.data.toy_size = 60;
                                c.model.latent_dim = 2;
                                c.model.mlp.d_activation =
                                    models::MlpActivation::kLeakyRelu;
                              }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(TrainerTest, EmaTrailsTheGenerator) {
  config_.train.ema_decay = 0.5;
  Trainer trainer(config_, train_data(), torch::kCPU);
  const auto before = trainer.generator().parameters()[0].clone();
  trainer.step();
  const auto after = trainer.generator().parameters()[0];
  // One update: avg = 0.5 before + 0.5 after.
  EXPECT_TRUE(torch::allclose(trainer.sampling_generator().parameters()[0],
                              0.5 * before + 0.5 * after));
}

TEST(ConditionalTrainingTest, SamplesLandOnTheRequestedClass) {
  // The ring's points are labelled with their mode; after a short
  // conditional run, G(z, k) must put every sample nearest to mode k.
  Config config;
  config.data.format = data::DataFormat::kToy;
  config.data.toy_size = 2000;
  config.model.conditional = true;
  config.model.latent_dim = 2;
  config.model.prior = models::PriorKind::kNormal;
  config.model.mlp.g_hidden = {64, 64};
  config.model.mlp.d_hidden = {64, 64};
  config.model.mlp.d_activation = models::MlpActivation::kLeakyRelu;
  config.model.mlp.d_input_keep = 1.0;
  config.model.mlp.d_hidden_keep = 1.0;
  config.model.mlp.g_init_range = 0.1;
  config.model.mlp.d_init_range = 0.1;
  config.model.mlp.g_output_bias_from_data = false;
  config.optim.kind = OptimizerKind::kAdam;
  config.optim.lr = 1e-3;
  config.optim.lr_decay = 1.0;
  config.train.batch_size = 100;
  config.train.epochs = 50;
  config.train.threads = 1;
  Trainer trainer(config, data::load_dataset(config.data, data::Split::kTrain),
                  torch::kCPU);
  trainer.fit(nullptr, nullptr);

  torch::NoGradGuard no_grad;
  trainer.generator().eval();
  const auto means = data::toy_mixture(data::ToyKind::kRing).means;
  for (int64_t k = 0; k < means.size(0); ++k) {
    const auto z =
        models::sample_prior(config.model.prior, 100, 2, torch::kCPU);
    const auto x =
        trainer.generator().forward(z, torch::full({100}, k, torch::kInt64));
    const auto nearest = torch::cdist(x, means).argmin(1);
    EXPECT_GE((nearest == k).sum().item<int64_t>(), 95) << "class " << k;
  }
}

TEST_F(TrainerTest, PeriodicEvaluationIsLoggedWithTheSteps) {
  config_.eval.every_epochs = 1;
  config_.eval.parzen = true;
  config_.eval.samples = 20;
  Trainer trainer(config_, train_data(), torch::kCPU);
  auto run = io::RunDir::create(dir_ / "run");
  trainer.fit(&run, nullptr);
  std::ifstream metrics(run.metrics_file());
  std::vector<int64_t> eval_steps;
  for (std::string line; std::getline(metrics, line);) {
    const auto record = nlohmann::json::parse(line);
    if (!record.contains("eval")) continue;
    eval_steps.push_back(record["step"].get<int64_t>());
    EXPECT_TRUE(record["eval"]["parzen"].is_number());
  }
  EXPECT_EQ(eval_steps, (std::vector<int64_t>{5, 10}));
}

TEST_F(TrainerTest, EvaluationThatCannotRunFailsAtTheStart) {
  config_.eval.every_epochs = 1;
  config_.eval.fid = true;  // no extractor
  EXPECT_THROW(Trainer(config_, train_data(), torch::kCPU), Error);
  config_.eval.fid = false;
  config_.eval.coverage = true;  // images, not a toy mixture
  EXPECT_THROW(Trainer(config_, train_data(), torch::kCPU), Error);
}

TEST_F(TrainerTest, BatchLargerThanTheDataIsAClearError) {
  config_.train.batch_size = 51;
  EXPECT_THROW(Trainer(config_, train_data(), torch::kCPU), Error);
}

}  // namespace
}  // namespace gan::train
