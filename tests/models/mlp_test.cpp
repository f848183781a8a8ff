#include "gan/models/mlp.h"

#include <cmath>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/models/factory.h"

namespace gan::models {
namespace {

const std::vector<int64_t> kMnistShape = {1, 28, 28};

TEST(MlpTest, PaperNetsHaveThePapersShapesAndSizes) {
  torch::manual_seed(0);
  MlpConfig paper;
  MlpGenerator g(100, kMnistShape, paper, OutputActivation::kSigmoid);
  MlpDiscriminator d(kMnistShape, paper);
  // G: 100*1200+1200 + 1200*1200+1200 + 1200*784+784.
  EXPECT_EQ(count_parameters(*g), 2503984);
  // D: 784*1200+1200 + 240*1200+1200 + 240+1.
  EXPECT_EQ(count_parameters(*d), 1231441);

  const auto x = g->forward(torch::randn({3, 100}), {});
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_EQ(d->forward(x, {}).sizes(), (std::vector<int64_t>{3}));
}

TEST(MlpTest, WeightsStartUniformInTheirRangesWithZeroBiases) {
  torch::manual_seed(0);
  MlpConfig paper;
  MlpGenerator g(100, kMnistShape, paper, OutputActivation::kSigmoid);
  MlpDiscriminator d(kMnistShape, paper);
  const std::pair<torch::nn::Module*, double> nets[] = {{g.get(), 0.05},
                                                        {d.get(), 0.005}};
  for (const auto& [net, range] : nets) {
    for (const auto& p : net->named_parameters()) {
      if (p.key().find("bias") != std::string::npos) {
        EXPECT_EQ(p.value().abs().max().item<float>(), 0.0f) << p.key();
      } else {
        EXPECT_LE(p.value().abs().max().item<double>(), range) << p.key();
        // U(-r, r) has standard deviation r / sqrt(3); the sample standard
        // deviation of n draws has a relative error of about sqrt(0.2 / n).
        const double sd = range / std::sqrt(3.0);
        const double n = static_cast<double>(p.value().numel());
        EXPECT_NEAR(p.value().std().item<double>(), sd,
                    5 * sd * std::sqrt(0.2 / n))
            << p.key();
      }
    }
  }
}

TEST(MlpTest, OutputBiasStartsAtTheInverseSigmoidOfTheMean) {
  MlpConfig config;
  config.g_hidden = {4};
  MlpGenerator g(2, std::vector<int64_t>{1, 2, 2}, config, OutputActivation::kSigmoid);
  g->init_output_from_mean(torch::tensor({0.0f, 0.25f, 0.5f, 1.0f}));
  // Zero weights isolate the bias: G then outputs sigmoid(bias).
  for (auto& p : g->parameters()) {
    if (p.dim() == 2) p.data().zero_();
  }
  const auto out = g->forward(torch::zeros({1, 2}), {}).flatten();
  EXPECT_NEAR(out[0].item<float>(), 1e-7, 1e-9);  // clipped like pylearn2
  EXPECT_NEAR(out[1].item<float>(), 0.25, 1e-6);
  EXPECT_NEAR(out[2].item<float>(), 0.5, 1e-6);
  EXPECT_NEAR(out[3].item<float>(), 1.0 - 1e-7, 1e-6);
}

TEST(MlpTest, TanhOutputBiasUsesTheInverseTanh) {
  MlpConfig config;
  config.g_hidden = {};
  MlpGenerator g(2, std::vector<int64_t>{2}, config, OutputActivation::kTanh);
  g->init_output_from_mean(torch::tensor({-0.5f, 0.3f}));
  for (auto& p : g->parameters()) {
    if (p.dim() == 2) p.data().zero_();
  }
  const auto out = g->forward(torch::zeros({1, 2}), {}).flatten();
  EXPECT_NEAR(out[0].item<float>(), -0.5, 1e-6);
  EXPECT_NEAR(out[1].item<float>(), 0.3, 1e-6);
}

TEST(MlpTest, MaxoutTakesTheMaximumOverEachUnitsContiguousPieces) {
  Maxout layer(2, /*units=*/2, /*pieces=*/3);
  torch::NoGradGuard no_grad;
  // Rows 0-2 are unit 0's pieces, rows 3-5 unit 1's.
  layer->linear()->weight.copy_(
      torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {-1.0f, 0.0f},
                     {0.5f, 0.5f}, {2.0f, 0.0f}, {0.0f, -3.0f}}));
  layer->linear()->bias.copy_(torch::tensor({0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f}));
  const auto y = layer->forward(torch::tensor({{2.0f, 3.0f}}));
  EXPECT_FLOAT_EQ(y[0][0].item<float>(), 3.0f);  // max(2, 3, -2)
  EXPECT_FLOAT_EQ(y[0][1].item<float>(), 4.0f);  // max(3.5, 4, -9)
}

TEST(MlpTest, DropoutActsInTrainingModeOnly) {
  torch::manual_seed(1);
  MlpConfig paper;
  MlpDiscriminator d(kMnistShape, paper);
  const auto x = torch::rand({8, 1, 28, 28});
  d->eval();
  EXPECT_TRUE(torch::equal(d->forward(x, {}), d->forward(x, {})));
  d->train();
  EXPECT_FALSE(torch::equal(d->forward(x, {}), d->forward(x, {})));
}

TEST(MlpTest, InputDropoutKeepsTheExpectedValue) {
  // With no hidden layers D is logistic regression on dropped-out inputs;
  // inverted scaling keeps E[logit] equal to the logit without dropout.
  torch::manual_seed(2);
  MlpConfig config;
  config.d_hidden = {};
  config.d_input_keep = 0.8;
  config.d_hidden_keep = 0.8;
  MlpDiscriminator d(std::vector<int64_t>{50}, config);
  const auto x = torch::ones({20000, 50});
  d->eval();
  const double exact = d->forward(x.slice(0, 0, 1), {}).item<double>();
  d->train();
  const double mean = d->forward(x, {}).mean().item<double>();
  EXPECT_NEAR(mean, exact, 0.002);
}

TEST(MlpTest, OutputActivationBoundsSamples) {
  torch::manual_seed(3);
  MlpConfig config;
  MlpGenerator sig(10, std::vector<int64_t>{4}, config, OutputActivation::kSigmoid);
  MlpGenerator tanh(10, std::vector<int64_t>{4}, config, OutputActivation::kTanh);
  const auto z = torch::randn({64, 10}) * 100;
  const auto a = sig->forward(z, {});
  const auto b = tanh->forward(z, {});
  EXPECT_GE(a.min().item<float>(), 0.0f);
  EXPECT_LE(a.max().item<float>(), 1.0f);
  EXPECT_GE(b.min().item<float>(), -1.0f);
  EXPECT_LE(b.max().item<float>(), 1.0f);
}

TEST(MlpTest, FactoryBuildsTheConfiguredWidths) {
  ModelConfig config;
  config.latent_dim = 7;
  config.mlp.g_hidden = {5, 6};
  config.mlp.d_hidden = {3};
  config.mlp.d_pieces = 2;
  DataSpec spec{{1, 2, 2}, OutputActivation::kSigmoid, 0};
  auto g = make_generator(config, spec);
  auto d = make_discriminator(config, spec);
  EXPECT_EQ(g->latent_dim(), 7);
  EXPECT_EQ(count_parameters(*g), (7 * 5 + 5) + (5 * 6 + 6) + (6 * 4 + 4));
  EXPECT_EQ(count_parameters(*d), (4 * 6 + 6) + (3 * 1 + 1));
}

}  // namespace
}  // namespace gan::models

namespace gan::models {
namespace {

TEST(MlpTest, ConditionalNetsTakeAOneHotClass) {
  torch::manual_seed(5);
  MlpConfig config;
  config.g_hidden = {8};
  config.d_hidden = {6};
  config.d_pieces = 2;
  MlpGenerator g(4, std::vector<int64_t>{3}, config,
                 OutputActivation::kIdentity, /*num_classes=*/5);
  MlpDiscriminator d(std::vector<int64_t>{3}, config, false, 5);
  // The class adds K inputs to G's and D's first layers.
  EXPECT_EQ(count_parameters(*g), (4 + 5) * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(count_parameters(*d), (3 + 5) * 12 + 12 + 6 + 1);
  const auto z = torch::randn({2, 4});
  const auto a = g->forward(z, torch::tensor({0, 0}));
  const auto b = g->forward(z, torch::tensor({3, 3}));
  EXPECT_FALSE(torch::allclose(a, b));
  EXPECT_THROW(g->forward(z, {}), Error);
  d->eval();
  EXPECT_FALSE(torch::allclose(d->forward(a, torch::tensor({0, 0})),
                               d->forward(a, torch::tensor({1, 1}))));
}

TEST(MlpTest, LeakyReluDiscriminatorForToyData) {
  MlpConfig config;
  config.d_hidden = {16, 16};
  config.d_activation = MlpActivation::kLeakyRelu;
  MlpDiscriminator d(std::vector<int64_t>{2}, config);
  EXPECT_EQ(count_parameters(*d), 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
  EXPECT_EQ(d->forward(torch::randn({5, 2}), {}).sizes(),
            (std::vector<int64_t>{5}));
}

TEST(MlpTest, SpectralNormAppliesToEveryDiscriminatorLayer) {
  MlpConfig config;
  config.d_hidden = {8};
  MlpDiscriminator d(std::vector<int64_t>{4}, config, /*spectral_norm=*/true);
  // u and v for the maxout layer and for the output layer.
  EXPECT_EQ(d->buffers().size(), 4u);
}

}  // namespace
}  // namespace gan::models
