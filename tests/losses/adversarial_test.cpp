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

namespace gan::losses {
namespace {

TEST(AdversarialLossTest, LeastSquaresTargetsOneAndZero) {
  const auto real = torch::tensor({1.0, 3.0}, torch::kFloat64);
  const auto fake = torch::tensor({0.0, -2.0}, torch::kFloat64);
  // 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2) = 1/2 * 2 + 1/2 * 2.
  EXPECT_NEAR(discriminator_loss(LossKind::kLeastSquares, real, fake)
                  .item<double>(),
              2.0, 1e-12);
  // 1/2 mean((D(G(z)) - 1)^2) = 1/2 * (1 + 9) / 2.
  EXPECT_NEAR(generator_loss(LossKind::kLeastSquares, fake).item<double>(),
              2.5, 1e-12);
}

TEST(AdversarialLossTest, WassersteinIsADifferenceOfMeans) {
  const auto real = torch::tensor({1.0, 3.0}, torch::kFloat64);
  const auto fake = torch::tensor({0.5, -1.5}, torch::kFloat64);
  EXPECT_NEAR(discriminator_loss(LossKind::kWasserstein, real, fake)
                  .item<double>(),
              -0.5 - 2.0, 1e-12);
  EXPECT_NEAR(generator_loss(LossKind::kWasserstein, fake).item<double>(),
              0.5, 1e-12);
}

TEST(AdversarialLossTest, HingeIgnoresConfidentOutputs) {
  const auto real = torch::tensor({2.0, 0.5}, torch::kFloat64);
  const auto fake = torch::tensor({-3.0, 0.0}, torch::kFloat64);
  // mean(max(0, 1 - [2, 0.5])) + mean(max(0, 1 + [-3, 0])) = 0.25 + 0.5.
  EXPECT_NEAR(discriminator_loss(LossKind::kHinge, real, fake).item<double>(),
              0.75, 1e-12);
  EXPECT_NEAR(generator_loss(LossKind::kHinge, fake).item<double>(), 1.5,
              1e-12);
}

TEST(AdversarialLossTest, MeanOutputIsAProbabilityOnlyForCrossEntropy) {
  const auto logits = torch::tensor({0.0, 0.0});
  EXPECT_FLOAT_EQ(mean_output(LossKind::kNonSaturating, logits).item<float>(),
                  0.5f);
  EXPECT_FLOAT_EQ(mean_output(LossKind::kHinge, logits).item<float>(), 0.0f);
}

}  // namespace
}  // namespace gan::losses
