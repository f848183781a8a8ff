#include "gan/train/optimizer.h"

#include <sstream>

#include <gtest/gtest.h>

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

  torch::serialize::OutputArchive out;
  optimizer->save(out);
  std::ostringstream bytes;
  out.save_to(bytes);

  auto q = p.detach().clone().requires_grad_(true);
  auto restored = make_optimizer(config, {q});
  torch::serialize::InputArchive in;
  const std::string data = bytes.str();
  in.load_from(data.data(), data.size());
  restored->load(in);

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
  torch::serialize::OutputArchive out;
  sgd->save(out);
  std::ostringstream bytes;
  out.save_to(bytes);

  auto large = torch::ones({3}, torch::requires_grad());
  auto other = make_optimizer(OptimConfig(), {large});
  torch::serialize::InputArchive in;
  const std::string data = bytes.str();
  in.load_from(data.data(), data.size());
  EXPECT_THROW(other->load(in), Error);
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
