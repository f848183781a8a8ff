#include "gan/train/optimizer.h"

#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include "gan/core/error.h"

namespace gan::train {
namespace {

// Sets the gradient of `p` to `value` everywhere.
void set_grad(torch::Tensor& p, double value) {
  p.mutable_grad() = torch::full_like(p, value);
}

TEST(OptimizerTest, SgdFollowsPylearn2Momentum) {
  // v <- mu v - lr g; p <- p + v, with g = 0.5, lr = 0.1, mu = 0.5.
  auto p = torch::ones({2}, torch::requires_grad());
  OptimConfig config;
  config.lr = 0.1;
  config.momentum = 0.5;
  auto sgd = make_optimizer(config, {p});
  set_grad(p, 0.5);
  sgd->step();
  EXPECT_NEAR(p[0].item<double>(), 1.0 - 0.05, 1e-7);
  set_grad(p, 0.5);
  sgd->step();
  EXPECT_NEAR(p[0].item<double>(), 0.95 - 0.075, 1e-7);
  // A new learning rate and momentum apply from the next step.
  sgd->set_lr(0.2);
  sgd->set_momentum(0.0);
  set_grad(p, 0.5);
  sgd->step();
  EXPECT_NEAR(p[1].item<double>(), 0.875 - 0.1, 1e-7);
}

TEST(OptimizerTest, ParametersWithoutGradientsAreLeftAlone) {
  auto a = torch::ones({1}, torch::requires_grad());
  auto b = torch::ones({1}, torch::requires_grad());
  auto sgd = make_optimizer(OptimConfig(), {a, b});
  set_grad(a, 1.0);
  sgd->step();
  EXPECT_LT(a.item<double>(), 1.0);
  EXPECT_EQ(b.item<double>(), 1.0);
  sgd->zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

// gan's Adam against libtorch's on the same gradients, one of the two
// parameters skipping every other step (its bias correction lags).
TEST(OptimizerTest, AdamMatchesLibtorchsAdam) {
  torch::manual_seed(6);
  const auto start_a = torch::randn({3, 4});
  const auto start_b = torch::randn({5});
  auto a = start_a.clone().requires_grad_(true);
  auto b = start_b.clone().requires_grad_(true);
  auto ref_a = start_a.clone().requires_grad_(true);
  auto ref_b = start_b.clone().requires_grad_(true);
  OptimConfig config;
  config.kind = OptimizerKind::kAdam;
  config.lr = 0.01;
  auto ours = make_optimizer(config, {a, b});
  torch::optim::Adam theirs({ref_a, ref_b},
                            torch::optim::AdamOptions(config.lr)
                                .betas({config.beta1, config.beta2})
                                .eps(config.eps));
  for (int step = 0; step < 10; ++step) {
    const auto grad_a = torch::randn({3, 4});
    const auto grad_b = torch::randn({5});
    // libtorch's zero_grad() zeroes gradients rather than dropping them.
    ours->zero_grad();
    ref_a.mutable_grad().reset();
    ref_b.mutable_grad().reset();
    a.mutable_grad() = grad_a.clone();
    ref_a.mutable_grad() = grad_a.clone();
    if (step % 2 == 0) {
      b.mutable_grad() = grad_b.clone();
      ref_b.mutable_grad() = grad_b.clone();
    }
    ours->step();
    theirs.step();
  }
  // float32 with the same operations in the same order: equal up to
  // rounding of the bias corrections (computed in double by both).
  EXPECT_TRUE(torch::allclose(a, ref_a, /*rtol=*/1e-6, /*atol=*/1e-7));
  EXPECT_TRUE(torch::allclose(b, ref_b, 1e-6, 1e-7));
  EXPECT_FALSE(torch::allclose(a, start_a));
}

TEST(OptimizerTest, AdamRefusesANegativeStepCount) {
  OptimConfig config;
  config.kind = OptimizerKind::kAdam;
  auto p = torch::ones({2}, torch::requires_grad());
  auto adam = make_optimizer(config, {p});
  io::NamedTensors saved;
  adam->save("opt", saved);
  std::map<std::string, torch::Tensor> tensors(saved.begin(), saved.end());
  tensors["opt.steps"] = torch::full({1}, -3, torch::kInt64);
  EXPECT_THROW(adam->load("opt", tensors), Error);
  tensors.erase("opt.exp_avg.0");
  tensors["opt.steps"] = torch::zeros({1}, torch::kInt64);
  EXPECT_THROW(adam->load("opt", tensors), Error);
}

// Steps `optimizer` twice on p with gradient p itself.
void two_steps(Optimizer& optimizer, torch::Tensor& p) {
  for (int i = 0; i < 2; ++i) {
    p.mutable_grad() = p.detach().clone();
    optimizer.step();
  }
}

class OptimizerStateTest : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(OptimizerStateTest, SavedStateContinuesIdentically) {
  OptimConfig config;
  config.kind = GetParam();
  auto p = torch::tensor({1.0f, -2.0f}, torch::requires_grad());
  auto optimizer = make_optimizer(config, {p});
  two_steps(*optimizer, p);

  io::NamedTensors saved;
  optimizer->save("opt", saved);

  auto q = p.detach().clone().requires_grad_(true);
  auto restored = make_optimizer(config, {q});
  restored->load("opt", {saved.begin(), saved.end()});

  two_steps(*optimizer, p);
  two_steps(*restored, q);
  EXPECT_TRUE(torch::equal(p, q));
}

INSTANTIATE_TEST_SUITE_P(BothKinds, OptimizerStateTest,
                         ::testing::Values(OptimizerKind::kSgd,
                                           OptimizerKind::kAdam));

TEST(OptimizerTest, LoadRejectsStateOfAnotherShape) {
  auto small = torch::ones({2}, torch::requires_grad());
  auto sgd = make_optimizer(OptimConfig(), {small});
  io::NamedTensors saved;
  sgd->save("opt", saved);

  auto large = torch::ones({3}, torch::requires_grad());
  auto other = make_optimizer(OptimConfig(), {large});
  EXPECT_THROW(other->load("opt", {saved.begin(), saved.end()}), Error);
}

TEST(OptimizerTest, AdamTakesItsLearningRateFromSetLr) {
  OptimConfig config;
  config.kind = OptimizerKind::kAdam;
  auto p = torch::ones({1}, torch::requires_grad());
  auto adam = make_optimizer(config, {p});
  adam->set_lr(0.0);
  set_grad(p, 1.0);
  adam->step();
  EXPECT_EQ(p.item<double>(), 1.0);
  adam->set_lr(0.01);
  set_grad(p, 1.0);
  adam->step();
  EXPECT_LT(p.item<double>(), 1.0);
}

}  // namespace
}  // namespace gan::train
