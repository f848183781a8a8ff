#include "gan/losses/penalties.h"

#include <gtest/gtest.h>

namespace gan::losses {
namespace {

// D(x) = <w, x> + b over all of an example's dimensions: its input gradient
// is w everywhere, so the penalties have closed forms.
class LinearCritic : public models::Discriminator {
 public:
  explicit LinearCritic(torch::Tensor w) {
    w_ = register_parameter("w", std::move(w));
  }
  torch::Tensor forward(const torch::Tensor& x,
                        const torch::Tensor& /*labels*/) override {
    return (x * w_).flatten(1).sum(1) + 0.5;
  }
  torch::Tensor w_;
};

TEST(PenaltiesTest, GradientPenaltyOfALinearCriticIsClosedForm) {
  torch::manual_seed(0);
  const auto w = torch::randn({1, 3, 4, 4}, torch::kFloat64);
  LinearCritic critic(w.clone());
  const auto real = torch::randn({6, 3, 4, 4}, torch::kFloat64);
  const auto fake = torch::randn({6, 3, 4, 4}, torch::kFloat64);
  const auto gp = gradient_penalty(critic, real, fake, {});
  // (||w|| - 1)^2, the norm over all 48 dimensions, whatever the mixing.
  const double norm = w.norm().item<double>();
  EXPECT_NEAR(gp.item<double>(), (norm - 1) * (norm - 1), 1e-9);

  // Its gradient with respect to w is 2 (||w|| - 1) w / ||w||.
  gp.backward();
  EXPECT_TRUE(torch::allclose(critic.w_.grad(), 2 * (norm - 1) * w / norm,
                              1e-9, 1e-9));
}

TEST(PenaltiesTest, GradientPenaltyIsZeroForAUnitGradient) {
  auto w = torch::zeros({1, 5}, torch::kFloat64);
  w[0][2] = 1.0;
  LinearCritic critic(w);
  const auto x = torch::randn({3, 5}, torch::kFloat64);
  EXPECT_NEAR(gradient_penalty(critic, x, x * 2, {}).item<double>(), 0.0,
              1e-12);
}

TEST(PenaltiesTest, R1IsHalfTheSquaredGradientNorm) {
  const auto w = torch::tensor({{3.0, 4.0}}, torch::kFloat64);
  LinearCritic critic(w.clone());
  const auto real = torch::randn({4, 2}, torch::kFloat64);
  EXPECT_NEAR(r1_penalty(critic, real, {}).item<double>(), 0.5 * 25.0, 1e-12);
}

TEST(PenaltiesTest, PerExampleNormsMatchAQuadraticCritic) {
  // D(x) = 1/2 |x|^2 has gradient x: the penalty is the mean over examples
  // of (|x_hat| - 1)^2, which depends on each example's own norm.
  class Quadratic : public models::Discriminator {
   public:
    torch::Tensor forward(const torch::Tensor& x,
                          const torch::Tensor&) override {
      return 0.5 * x.flatten(1).square().sum(1);
    }
  } critic;
  const auto real = torch::tensor({{3.0, 4.0}, {0.0, 2.0}}, torch::kFloat64);
  // Real equal to fake makes x_hat independent of the random mix.
  const auto gp = gradient_penalty(critic, real, real, {});
  EXPECT_NEAR(gp.item<double>(), ((5.0 - 1) * (5.0 - 1) + 1.0) / 2, 1e-9);
}

}  // namespace
}  // namespace gan::losses
