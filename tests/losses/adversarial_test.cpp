#include "gan/losses/adversarial.h"

#include <cmath>

#include <gtest/gtest.h>

namespace gan::losses {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Hand-computed from the definitions with D = sigmoid(logit).
TEST(AdversarialLossTest, DiscriminatorLossIsBinaryCrossEntropy) {
  const auto real = torch::tensor({0.0, 2.0}, torch::kFloat64);
  const auto fake = torch::tensor({-1.0, 1.0}, torch::kFloat64);
  // -mean log D(x) - mean log(1 - D(G(z))).
  const double expected =
      -(std::log(sigmoid(0.0)) + std::log(sigmoid(2.0))) / 2 -
      (std::log(1 - sigmoid(-1.0)) + std::log(1 - sigmoid(1.0))) / 2;
  EXPECT_NEAR(expected, 1.2232993, 1e-6);
  for (auto kind : {LossKind::kNonSaturating, LossKind::kMinimax}) {
    EXPECT_NEAR(discriminator_loss(kind, real, fake).item<double>(), expected,
                1e-12);
  }
}

TEST(AdversarialLossTest, NonSaturatingGeneratorLossIsMinusLogD) {
  const auto fake = torch::tensor({-1.0, 1.0, 3.0}, torch::kFloat64);
  const double expected = -(std::log(sigmoid(-1.0)) + std::log(sigmoid(1.0)) +
                            std::log(sigmoid(3.0))) /
                          3;
  EXPECT_NEAR(expected, 0.5583702, 1e-6);
  EXPECT_NEAR(generator_loss(LossKind::kNonSaturating, fake).item<double>(),
              expected, 1e-12);
}

TEST(AdversarialLossTest, MinimaxGeneratorLossIsLogOneMinusD) {
  const auto fake = torch::tensor({-1.0, 1.0, 3.0}, torch::kFloat64);
  const double expected = (std::log(1 - sigmoid(-1.0)) +
                           std::log(1 - sigmoid(1.0)) +
                           std::log(1 - sigmoid(3.0))) /
                          3;
  EXPECT_NEAR(expected, -1.5583702, 1e-6);
  EXPECT_NEAR(generator_loss(LossKind::kMinimax, fake).item<double>(),
              expected, 1e-12);
}

TEST(AdversarialLossTest, LossesStayFiniteWhenDSaturates) {
  const auto extreme = torch::tensor({-200.0f, 200.0f});
  EXPECT_TRUE(std::isfinite(
      discriminator_loss(LossKind::kNonSaturating, extreme, extreme)
          .item<float>()));
  EXPECT_TRUE(std::isfinite(
      generator_loss(LossKind::kNonSaturating, extreme).item<float>()));
  EXPECT_TRUE(
      std::isfinite(generator_loss(LossKind::kMinimax, extreme).item<float>()));
}

TEST(AdversarialLossTest, NonSaturatingGradientIsStrongWhenDRejectsFakes) {
  // The paper's reason for the non-saturating form: early on D confidently
  // rejects G's samples (logit -8), where log(1 - D) is flat.
  auto logit = torch::tensor({-8.0}, torch::requires_grad());
  generator_loss(LossKind::kNonSaturating, logit).backward();
  const double strong = logit.grad().item<double>();
  logit.mutable_grad().reset();
  generator_loss(LossKind::kMinimax, logit).backward();
  const double weak = logit.grad().item<double>();
  EXPECT_NEAR(strong, -sigmoid(8.0), 1e-6);  // about -1
  EXPECT_NEAR(weak, -sigmoid(-8.0), 1e-9);   // about -3e-4
  EXPECT_GT(std::abs(strong) / std::abs(weak), 1000.0);
}

}  // namespace
}  // namespace gan::losses
