#include "gan/models/dcgan.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/models/factory.h"

namespace gan::models {
namespace {

TEST(DcganTest, SupportsBothSizeFamiliesAndAnyChannelCount) {
  torch::manual_seed(0);
  DcganConfig config;
  config.g_width = 8;
  config.d_width = 8;
  for (int64_t size : {8, 14, 16, 28, 32, 64}) {
    for (int64_t channels : {1, 3}) {
      const std::vector<int64_t> shape = {channels, size, size};
      DcganGenerator g(16, shape, config, OutputActivation::kTanh);
      DcganDiscriminator d(shape, config, /*spectral_norm=*/false);
      const auto x = g->forward(torch::randn({2, 16}), {});
      ASSERT_EQ(x.sizes(), (std::vector<int64_t>{2, channels, size, size}))
          << size;
      EXPECT_LE(x.abs().max().item<float>(), 1.0f);
      EXPECT_EQ(d->forward(x, {}).sizes(), (std::vector<int64_t>{2}));
    }
  }
}

TEST(DcganTest, UnsupportedSizesNameTheSupportedOnes) {
  try {
    dcgan_geometry(30);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("4 * 2^n or 7 * 2^n"),
              std::string::npos);
  }
  EXPECT_EQ(dcgan_geometry(28), (std::pair<int64_t, int64_t>{7, 2}));
  EXPECT_EQ(dcgan_geometry(64), (std::pair<int64_t, int64_t>{4, 4}));
}

TEST(DcganTest, WeightsFollowTheDcganInitialisation) {
  torch::manual_seed(1);
  DcganConfig config;
  DcganGenerator g(100, std::vector<int64_t>{3, 32, 32}, config, OutputActivation::kTanh);
  for (const auto& p : g->named_parameters()) {
    if (p.value().numel() < 1000) continue;
    if (p.key().find("weight") == std::string::npos) continue;
    // Convolutions N(0, 0.02); large enough to estimate well.
    EXPECT_NEAR(p.value().std().item<double>(), 0.02, 0.002) << p.key();
    EXPECT_NEAR(p.value().mean().item<double>(), 0.0, 0.002) << p.key();
  }
  for (const auto& p : g->named_parameters()) {
    if (p.key().find("norms") != std::string::npos &&
        p.key().find("weight") != std::string::npos) {
      EXPECT_NEAR(p.value().mean().item<double>(), 1.0, 0.02) << p.key();
    }
  }
}

// Sampling on the CPU (evaluation mode, no gradient) runs each transposed
// convolution as one matrix product and an overlap-add, in chunks of
// images; with gradients G runs libtorch's layers one by one. The two
// must agree for every kind of G the pass takes: both size families, any
// channel count, batch norm or none (a convolution bias then), a class
// appended to z, and a batch that is not a whole number of chunks.
TEST(DcganTest, SamplingPassMatchesTheLayerByLayerForward) {
  struct Case {
    std::vector<int64_t> shape;
    NormKind norm;
    int64_t classes;
    int64_t batch;
    OutputActivation output;
  };
  const Case cases[] = {
      {{3, 32, 32}, NormKind::kBatch, 0, 75, OutputActivation::kTanh},
      {{1, 28, 28}, NormKind::kBatch, 0, 33, OutputActivation::kSigmoid},
      {{2, 16, 16}, NormKind::kNone, 0, 5, OutputActivation::kIdentity},
      {{1, 14, 14}, NormKind::kBatch, 4, 40, OutputActivation::kTanh},
      {{3, 8, 8}, NormKind::kLayer, 0, 6, OutputActivation::kTanh},
  };
  torch::manual_seed(11);
  for (const auto& c : cases) {
    DcganConfig config;
    config.g_width = 8;
    config.g_norm = c.norm;
    config.init_std = 0.3;  // outputs well away from 0
    DcganGenerator g(16, c.shape, config, c.output, c.classes);
    const auto labels =
        c.classes > 0 ? torch::randint(0, c.classes, {c.batch}, torch::kLong)
                      : torch::Tensor();
    if (c.norm == NormKind::kNone) {
      // Nonzero biases, so that dropping one would show.
      torch::NoGradGuard no_grad;
      for (auto& p : g->named_parameters()) {
        if (p.key().find("bias") != std::string::npos) p.value().normal_(0, 0.5);
      }
    }
    // Running statistics away from their initial 0 and 1.
    for (int i = 0; i < 5; ++i) {
      const auto y = c.classes > 0 ? torch::randint(0, c.classes, {32}, torch::kLong)
                                   : torch::Tensor();
      g->forward(torch::randn({32, 16}) * 3, y);
    }
    g->eval();
    const auto z = torch::randn({c.batch, 16});
    const auto layered = g->forward(z, labels).detach();
    torch::NoGradGuard no_grad;
    const auto sampled = g->forward(z, labels);
    ASSERT_EQ(sampled.sizes(), layered.sizes()) << c.shape[1];
    EXPECT_TRUE(sampled.is_contiguous());
    EXPECT_TRUE(torch::allclose(sampled, layered, /*rtol=*/1e-4, /*atol=*/1e-5))
        << c.shape[1] << ": " << (sampled - layered).abs().max().item<double>();
    EXPECT_GT(layered.abs().max().item<double>(), 0.5) << c.shape[1];
  }
}

// In training, float32 G on the CPU runs its transposed convolutions as
// batch-wide matrix products (conv_gemm.h); in float64 it runs
// libtorch's layers. Outputs and every parameter's gradient must agree,
// through batch norm in training mode and the channels-last layout.
TEST(DcganTest, TrainingPassMatchesLibtorchsLayers) {
  for (const auto& shape : {std::vector<int64_t>{3, 32, 32},
                            std::vector<int64_t>{1, 28, 28}}) {
    DcganConfig config;
    config.g_width = 8;
    torch::manual_seed(5);
    DcganGenerator g(16, shape, config, OutputActivation::kTanh);
    torch::manual_seed(5);
    DcganGenerator reference(16, shape, config, OutputActivation::kTanh);
    reference->to(torch::kFloat64);
    const auto z = torch::randn({6, 16});
    const auto weights = torch::randn({6, shape[0], shape[1], shape[2]});
    const auto out = g->forward(z, {});
    const auto expected = reference->forward(z.to(torch::kFloat64), {});
    EXPECT_TRUE(out.is_contiguous());
    EXPECT_TRUE(torch::allclose(out.to(torch::kFloat64), expected, 1e-4, 1e-5))
        << (out.to(torch::kFloat64) - expected).abs().max().item<double>();
    (out * weights).sum().backward();
    (expected * weights.to(torch::kFloat64)).sum().backward();
    const auto params = g->named_parameters();
    const auto reference_params = reference->named_parameters();
    for (const auto& p : params) {
      const auto got = p.value().grad().to(torch::kFloat64);
      const auto& want = reference_params[p.key()].grad();
      const double error = (got - want).norm().item<double>();
      EXPECT_LT(error, 1e-4 * want.norm().item<double>() + 1e-6) << p.key();
    }
  }
}

// Where the sampling pass does not apply (another device or dtype: here
// float64), an evaluation-mode G without gradients folds each batch norm
// into the convolution before it; with them it runs the layers one by one.
TEST(DcganTest, FoldedBatchNormSamplingMatchesTheLayerByLayerForward) {
  torch::manual_seed(7);
  DcganConfig config;
  config.g_width = 8;
  config.init_std = 0.3;  // outputs well away from 0
  DcganGenerator g(16, std::vector<int64_t>{3, 16, 16}, config,
                   OutputActivation::kTanh);
  g->to(torch::kFloat64);
  // Running statistics away from their initial 0 and 1.
  for (int i = 0; i < 5; ++i) {
    g->forward(torch::randn({32, 16}, torch::kFloat64) * 3, {});
  }
  g->eval();
  const auto z = torch::randn({10, 16}, torch::kFloat64);
  const auto layered = g->forward(z, {}).detach();
  torch::NoGradGuard no_grad;
  const auto folded = g->forward(z, {});
  ASSERT_EQ(folded.sizes(), layered.sizes());
  EXPECT_TRUE(torch::allclose(folded, layered, /*rtol=*/1e-4, /*atol=*/1e-5))
      << (folded - layered).abs().max().item<double>();
  EXPECT_GT(layered.abs().max().item<double>(), 0.5);
}

TEST(DcganTest, CriticWithoutNormHasNoNormLayers) {
  DcganConfig config;
  config.d_norm = NormKind::kNone;
  DcganDiscriminator d(std::vector<int64_t>{1, 28, 28}, config, false);
  for (const auto& m : d->modules(/*include_self=*/false)) {
    EXPECT_EQ(m->name().find("BatchNorm"), std::string::npos) << m->name();
  }
  config.d_norm = NormKind::kLayer;
  DcganDiscriminator layered(std::vector<int64_t>{1, 28, 28}, config, false);
  bool group_norm = false;
  for (const auto& m : layered->modules(false)) {
    group_norm |= m->name().find("GroupNorm") != std::string::npos;
  }
  EXPECT_TRUE(group_norm);
}

TEST(DcganTest, ProjectionDiscriminatorDependsOnTheClass) {
  torch::manual_seed(2);
  DcganConfig config;
  config.g_width = 8;
  config.d_width = 8;
  DcganDiscriminator d(std::vector<int64_t>{1, 16, 16}, config, false, 10);
  d->eval();
  const auto x = torch::randn({4, 1, 16, 16});
  const auto a = d->forward(x, torch::tensor({0, 1, 2, 3}));
  const auto b = d->forward(x, torch::tensor({4, 5, 6, 7}));
  EXPECT_FALSE(torch::allclose(a, b));
  EXPECT_THROW(d->forward(x, {}), Error);
}

TEST(DcganTest, FactoryRefusesPointsAndUnlabelledConditioning) {
  ModelConfig config;
  config.family = ModelFamily::kDcgan;
  EXPECT_THROW(make_generator(config, {{2}, OutputActivation::kIdentity, 0}),
               Error);
  config.conditional = true;
  EXPECT_THROW(
      make_generator(config, {{1, 28, 28}, OutputActivation::kTanh, 0}),
      Error);
  EXPECT_EQ(make_generator(config, {{1, 28, 28}, OutputActivation::kTanh, 10})
                ->num_classes(),
            10);
}

}  // namespace
}  // namespace gan::models
