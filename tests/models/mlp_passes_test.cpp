// The hand-written MLP passes against libtorch autograd through the
// modules' own forward(), on the same inputs and the same dropout masks.
//
// Tolerances: both sides run the same float32 BLAS products, but sum in
// different orders (bias gradients, the concatenated batch), so values
// agree to a few float32 ulps of the largest magnitudes involved; we allow
// an absolute 2e-6 plus a relative 1e-4.
#include "gan/models/mlp_passes.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "gan/models/factory.h"
#include "gan/models/mlp.h"

namespace gan::models {
namespace {

constexpr double kRtol = 1e-4;
constexpr double kAtol = 2e-6;

const std::vector<int64_t> kShape = {1, 6, 6};  // 36 inputs

::testing::AssertionResult close(const torch::Tensor& got,
                                 const torch::Tensor& want) {
  if (!got.sizes().equals(want.sizes())) {
    return ::testing::AssertionFailure()
           << "shape " << got.sizes() << " vs " << want.sizes();
  }
  if (torch::allclose(got, want, kRtol, kAtol)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "max |difference| " << (got - want).abs().max().item<double>()
         << ", max |value| " << want.abs().max().item<double>();
}

MlpConfig small_config() {
  MlpConfig config;
  config.g_hidden = {20, 24};
  config.d_hidden = {10, 7};
  config.d_pieces = 3;
  config.d_init_range = 0.3;  // large enough for maxout winners to differ
  return config;
}

// Makes every parameter's gradient undefined.
void clear_grads(torch::nn::Module& net) {
  for (auto& p : net.parameters()) p.mutable_grad() = torch::Tensor();
}

std::vector<torch::Tensor> grads(torch::nn::Module& net) {
  std::vector<torch::Tensor> all;
  for (auto& p : net.parameters()) all.push_back(p.grad().clone());
  return all;
}

class GeneratorPassTest : public ::testing::TestWithParam<OutputActivation> {};

TEST_P(GeneratorPassTest, ForwardAndGradientsMatchAutograd) {
  torch::manual_seed(1);
  MlpGenerator g(5, kShape, small_config(), GetParam());
  // Non-zero biases, so that their gradients and uses are exercised.
  {
    torch::NoGradGuard no_grad;
    for (auto& p : g->parameters()) p.add_(torch::randn_like(p) * 0.1);
  }
  const auto z = torch::randn({9, 5});
  const auto upstream = torch::randn({9, 36});

  const auto want = g->forward(z, {});
  clear_grads(*g);
  (want.reshape({9, 36}) * upstream).sum().backward();
  const auto want_grads = grads(*g);

  MlpGeneratorPass pass(*g);
  clear_grads(*g);
  const auto got = pass.forward(z, /*for_backward=*/true);
  EXPECT_TRUE(close(got, want.detach().reshape({9, 36})));
  pass.backward(upstream);
  const auto got_grads = grads(*g);
  ASSERT_EQ(got_grads.size(), want_grads.size());
  for (size_t i = 0; i < got_grads.size(); ++i) {
    EXPECT_TRUE(close(got_grads[i], want_grads[i])) << "parameter " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Outputs, GeneratorPassTest,
                         ::testing::Values(OutputActivation::kSigmoid,
                                           OutputActivation::kTanh,
                                           OutputActivation::kIdentity));

TEST(GeneratorPassTest, WritesIntoAGivenBufferAndReusesItsOwn) {
  torch::manual_seed(2);
  MlpGenerator g(5, kShape, small_config(), OutputActivation::kSigmoid);
  MlpGeneratorPass pass(*g);
  const auto z = torch::randn({4, 5});
  auto target = torch::zeros({8, 36});
  pass.forward(z, /*for_backward=*/false, target.slice(0, 4, 8));
  torch::NoGradGuard no_grad;
  const auto want = g->forward(z, {}).reshape({4, 36});
  EXPECT_TRUE(close(target.slice(0, 4, 8), want));
  EXPECT_EQ(target.slice(0, 0, 4).abs().sum().item<float>(), 0.0f);

  // A second batch of another size through the pass's own buffer.
  const auto z2 = torch::randn({3, 5});
  EXPECT_TRUE(
      close(pass.forward(z2, false), g->forward(z2, {}).reshape({3, 36})));
}

// D's forward() written out with explicit masks, for autograd.
torch::Tensor reference_logits(MlpDiscriminatorImpl& d, const torch::Tensor& x,
                               const std::vector<torch::Tensor>& masks) {
  const auto layers = d.layers();
  auto h = x.reshape({x.size(0), -1}) * masks[0];
  for (size_t l = 0; l + 1 < layers.size(); ++l) {
    const auto a = torch::addmm(layers[l]->bias, h, layers[l]->weight.t());
    h = std::get<0>(a.view({x.size(0), -1, d.pieces()}).max(2)) * masks[l + 1];
  }
  return torch::addmm(layers.back()->bias, h, layers.back()->weight.t())
      .squeeze(1);
}

TEST(DiscriminatorPassTest, LogitsAndGradientsMatchAutogradOnTheSameMasks) {
  torch::manual_seed(3);
  MlpDiscriminator d(kShape, small_config());
  const auto x = torch::rand({11, 1, 6, 6}).requires_grad_(true);
  const auto upstream = torch::randn({11});

  MlpDiscriminatorPass pass(*d);
  clear_grads(*d);
  const auto got = pass.forward(x.detach(), /*seed=*/42);
  const auto got_dx = pass.backward(upstream, /*weights=*/true,
                                    /*input=*/true)
                          .clone();
  const auto got_grads = grads(*d);

  std::vector<torch::Tensor> masks;
  for (size_t l = 0; l < 3; ++l) masks.push_back(pass.dropout_mask(l));
  // The masks drop roughly the configured shares (0.8 kept, then 0.5).
  EXPECT_GT(masks[0].eq(0).sum().item<int64_t>(), 0);
  EXPECT_GT(masks[1].eq(0).sum().item<int64_t>(), 0);
  EXPECT_FLOAT_EQ(masks[0].max().item<float>(), 1.0f / 0.8f);
  EXPECT_FLOAT_EQ(masks[2].max().item<float>(), 2.0f);

  clear_grads(*d);
  const auto want = reference_logits(*d, x, masks);
  (want * upstream).sum().backward();
  EXPECT_TRUE(close(got, want.detach()));
  EXPECT_TRUE(close(got_dx, x.grad().reshape({11, 36})));
  const auto want_grads = grads(*d);
  ASSERT_EQ(got_grads.size(), want_grads.size());
  for (size_t i = 0; i < got_grads.size(); ++i) {
    EXPECT_TRUE(close(got_grads[i], want_grads[i])) << "parameter " << i;
  }
}

// At the paper's widths (784 inputs, 240 maxout units of 5 pieces) the
// sparse maxout gradients split units and examples over two threads; they
// must match autograd on one thread and on two.
TEST(DiscriminatorPassTest, PaperWidthGradientsMatchAutogradOnAnyThreadCount) {
  torch::manual_seed(5);
  MlpConfig config;
  config.d_hidden = {240, 240};
  config.d_pieces = 5;
  config.d_init_range = 0.05;
  const std::vector<int64_t> shape = {1, 28, 28};
  MlpDiscriminator d(shape, config);
  const auto x = torch::rand({40, 1, 28, 28}).requires_grad_(true);
  const auto upstream = torch::randn({40});
  MlpDiscriminatorPass pass(*d);
  const int threads = at::get_num_threads();

  std::vector<std::vector<torch::Tensor>> got_grads;
  std::vector<torch::Tensor> got_dx;
  for (int t : {1, 2}) {
    at::set_num_threads(t);
    clear_grads(*d);
    pass.forward(x.detach(), /*seed=*/11);
    got_dx.push_back(pass.backward(upstream, true, true).clone());
    got_grads.push_back(grads(*d));
  }
  at::set_num_threads(threads);

  std::vector<torch::Tensor> masks;
  for (size_t l = 0; l < 3; ++l) masks.push_back(pass.dropout_mask(l));
  clear_grads(*d);
  (reference_logits(*d, x, masks) * upstream).sum().backward();
  const auto want_grads = grads(*d);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_TRUE(close(got_dx[t], x.grad().reshape({40, 784})));
    for (size_t i = 0; i < want_grads.size(); ++i) {
      EXPECT_TRUE(close(got_grads[t][i], want_grads[i]))
          << "parameter " << i << ", " << t + 1 << " thread(s)";
    }
  }
}

TEST(DiscriminatorPassTest, WithoutDropoutItIsTheModulesForward) {
  torch::manual_seed(4);
  auto config = small_config();
  config.d_input_keep = 1.0;
  config.d_hidden_keep = 1.0;
  MlpDiscriminator d(kShape, config);
  const auto x = torch::rand({7, 1, 6, 6});
  MlpDiscriminatorPass pass(*d);
  const auto got = pass.forward(x, 5);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(close(got, d->forward(x, {})));
}

TEST(DiscriminatorPassTest, WeightGradientsOnlyWhenAskedFor) {
  torch::manual_seed(5);
  MlpDiscriminator d(kShape, small_config());
  MlpDiscriminatorPass pass(*d);
  clear_grads(*d);
  pass.forward(torch::rand({4, 36}), 1);
  const auto dx = pass.backward(torch::ones({4}), /*weights=*/false,
                                /*input=*/true);
  EXPECT_EQ(dx.sizes(), (std::vector<int64_t>{4, 36}));
  for (const auto& p : d->parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_FALSE(pass.backward(torch::ones({4}), true, false).defined());
  for (const auto& p : d->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(DiscriminatorPassTest, MasksFollowTheSeedNotTheThreadCount) {
  torch::manual_seed(6);
  MlpConfig config = small_config();
  config.d_hidden = {300};
  MlpDiscriminator d(std::vector<int64_t>{1, 32, 32}, config);
  MlpDiscriminatorPass pass(*d);
  const auto x = torch::rand({64, 1024});
  const int threads = at::get_num_threads();

  at::set_num_threads(1);
  pass.forward(x, 7);
  const auto one_thread = pass.dropout_mask(0);
  at::set_num_threads(2);
  pass.forward(x, 7);
  const auto two_threads = pass.dropout_mask(0);
  const auto hidden = pass.dropout_mask(1);
  pass.forward(x, 8);
  const auto other_seed = pass.dropout_mask(0);
  at::set_num_threads(threads);

  EXPECT_TRUE(torch::equal(one_thread, two_threads));
  EXPECT_FALSE(torch::equal(one_thread, other_seed));
  // Kept shares: 65,536 inputs at 0.8 and 19,200 units at 0.5; five
  // binomial standard deviations are about 0.008 and 0.018.
  EXPECT_NEAR(one_thread.ne(0).to(torch::kDouble).mean().item<double>(), 0.8,
              0.008);
  EXPECT_NEAR(hidden.ne(0).to(torch::kDouble).mean().item<double>(), 0.5,
              0.018);
  // Neighbouring elements are not correlated: the kept flags of element i
  // and i + 1 agree as often as independent draws would (0.8^2 + 0.2^2).
  const auto kept = one_thread.ne(0).flatten();
  const double agree = kept.slice(0, 1)
                           .eq(kept.slice(0, 0, -1))
                           .to(torch::kDouble)
                           .mean()
                           .item<double>();
  EXPECT_NEAR(agree, 0.68, 0.01);
}

// bfloat16 keeps 8 significant bits: each rounded operand or product is
// off by at most 2^-9 relative. Outputs must agree with float32 to 1.5e-2
// of their norm, and differ by more than 1e-5 (else the float32 products
// ran). Gradients are compared by direction (cosine > 0.98): a rounding
// can flip a ReLU mask or a maxout winner near a tie, which reroutes a
// whole gradient entry, so their norm error is larger than the outputs'.
::testing::AssertionResult bf16_close(const torch::Tensor& got,
                                      const torch::Tensor& want) {
  const double error =
      (got - want).norm().item<double>() / want.norm().item<double>();
  if (error < 1.5e-2 && error > 1e-5) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "relative error " << error;
}

::testing::AssertionResult same_direction(const torch::Tensor& got,
                                          const torch::Tensor& want) {
  const double cosine =
      (got * want).sum().item<double>() /
      (got.norm().item<double>() * want.norm().item<double>());
  if (cosine > 0.98) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "cosine " << cosine;
}

TEST(Bf16PassesTest, GeneratorStaysCloseToFloat32) {
  torch::manual_seed(8);
  auto config = small_config();
  config.g_hidden = {64, 96};
  MlpGenerator g(16, kShape, config, OutputActivation::kTanh);
  const auto z = torch::randn({32, 16});
  const auto upstream = torch::randn({32, 36});

  MlpGeneratorPass exact(*g);
  const auto want = exact.forward(z, true).clone();
  exact.backward(upstream);
  const auto want_grads = grads(*g);

  MlpGeneratorPass low(*g, /*bf16_products=*/true);
  const auto got = low.forward(z, true);
  low.backward(upstream);
  EXPECT_TRUE(bf16_close(got, want));
  const auto got_grads = grads(*g);
  for (size_t i = 0; i < got_grads.size(); ++i) {
    EXPECT_TRUE(same_direction(got_grads[i], want_grads[i]))
        << "parameter " << i;
    EXPECT_EQ(got_grads[i].scalar_type(), torch::kFloat32);
  }
  for (const auto& p : g->parameters()) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat32);
  }
}

TEST(Bf16PassesTest, DiscriminatorStaysCloseToFloat32) {
  torch::manual_seed(9);
  auto config = small_config();
  config.d_hidden = {40, 30};
  MlpDiscriminator d(kShape, config);
  const auto x = torch::rand({32, 36});
  const auto upstream = torch::randn({32});

  MlpDiscriminatorPass exact(*d);
  const auto want = exact.forward(x, 11).clone();
  const auto want_dx = exact.backward(upstream, true, true).clone();
  const auto want_grads = grads(*d);

  MlpDiscriminatorPass low(*d, /*bf16_products=*/true);
  const auto got = low.forward(x, 11);
  const auto got_dx = low.backward(upstream, true, true);
  EXPECT_TRUE(bf16_close(got, want));
  EXPECT_TRUE(same_direction(got_dx, want_dx));
  const auto got_grads = grads(*d);
  for (size_t i = 0; i < got_grads.size(); ++i) {
    EXPECT_TRUE(same_direction(got_grads[i], want_grads[i]))
        << "parameter " << i;
  }
}

TEST(MlpPassesApplyTest, OnlyForUnconditionalMaxoutNetsWithoutSpectralNorm) {
  MlpConfig config = small_config();
  MlpGenerator g(5, kShape, config, OutputActivation::kSigmoid);
  MlpDiscriminator d(kShape, config);
  EXPECT_TRUE(mlp_passes_apply(*g, *d));

  MlpDiscriminator spectral(kShape, config, /*spectral_norm=*/true);
  EXPECT_FALSE(mlp_passes_apply(*g, *spectral));

  MlpGenerator conditional_g(5, kShape, config, OutputActivation::kSigmoid,
                             /*num_classes=*/3);
  MlpDiscriminator conditional_d(kShape, config, false, 3);
  EXPECT_FALSE(mlp_passes_apply(*conditional_g, *conditional_d));

  config.d_activation = MlpActivation::kLeakyRelu;
  MlpDiscriminator leaky(kShape, config);
  EXPECT_FALSE(mlp_passes_apply(*g, *leaky));

  MlpGenerator doubles(5, kShape, small_config(), OutputActivation::kSigmoid);
  doubles->to(torch::kFloat64);
  EXPECT_FALSE(mlp_passes_apply(*doubles, *d));
}

}  // namespace
}  // namespace gan::models
