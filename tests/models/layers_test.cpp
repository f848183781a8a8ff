#include "gan/models/layers.h"

#include <torch/linalg.h>

#include <gtest/gtest.h>

#include "gan/io/checkpoint.h"

namespace gan::models {
namespace {

double largest_singular_value(const torch::Tensor& w) {
  return torch::linalg::svdvals(w.reshape({w.size(0), -1}).to(torch::kFloat64),
                                {})[0]
      .item<double>();
}

TEST(SpectralNormTest, PowerIterationFindsTheLargestSingularValue) {
  torch::manual_seed(0);
  Dense layer(30, 20, /*spectral_norm=*/true);
  layer->train();
  const auto x = torch::randn({4, 30});
  for (int i = 0; i < 50; ++i) layer->forward(x);
  const double exact = largest_singular_value(layer->weight);
  EXPECT_NEAR(layer->spectral->sigma(layer->weight), exact, 1e-4 * exact);
  // The normalised weight's largest singular value is then 1.
  EXPECT_NEAR(largest_singular_value(layer->effective_weight().detach()), 1.0,
              1e-4);
}

TEST(SpectralNormTest, ConvolutionWeightsAreNormalisedAsMatrices) {
  torch::manual_seed(1);
  Conv conv(3, 8, 4, 2, 1, /*bias=*/true, /*spectral_norm=*/true);
  conv->train();
  const auto x = torch::randn({2, 3, 8, 8});
  for (int i = 0; i < 60; ++i) conv->forward(x);
  EXPECT_NEAR(largest_singular_value(conv->effective_weight().detach()), 1.0,
              1e-3);
  EXPECT_EQ(conv->forward(x).sizes(), (std::vector<int64_t>{2, 8, 4, 4}));
}

TEST(SpectralNormTest, EvalModeDoesNotIterate) {
  torch::manual_seed(2);
  Dense layer(5, 5, true);
  layer->eval();
  const auto u = layer->named_buffers()["weight_u"].clone();
  layer->forward(torch::randn({1, 5}));
  EXPECT_TRUE(torch::equal(layer->named_buffers()["weight_u"], u));
}

TEST(SpectralNormTest, IterationStateIsSavedWithTheModule) {
  torch::manual_seed(3);
  Dense a(6, 4, true);
  for (int i = 0; i < 5; ++i) a->forward(torch::randn({2, 6}));
  io::NamedTensors saved;
  io::add_module_tensors(saved, "dense", *a);

  Dense b(6, 4, true);
  io::load_module_tensors({saved.begin(), saved.end()}, "dense", *b, "test");
  EXPECT_TRUE(torch::equal(a->named_buffers()["weight_u"],
                           b->named_buffers()["weight_u"]));
  EXPECT_TRUE(torch::equal(a->named_buffers()["weight_v"],
                           b->named_buffers()["weight_v"]));
  b->eval();
  a->eval();
  const auto x = torch::randn({3, 6});
  EXPECT_TRUE(torch::allclose(a->forward(x), b->forward(x)));
}

TEST(DenseTest, WithoutSpectralNormItIsALinearLayer) {
  torch::manual_seed(4);
  Dense layer(3, 2, false);
  const auto x = torch::randn({5, 3});
  EXPECT_TRUE(torch::allclose(layer->forward(x),
                              x.matmul(layer->weight.t()) + layer->bias));
  EXPECT_EQ(layer->named_buffers().size(), 0u);
}

}  // namespace
}  // namespace gan::models
