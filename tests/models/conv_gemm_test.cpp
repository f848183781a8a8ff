#include "gan/models/conv_gemm.h"

#include <gtest/gtest.h>
#include <torch/autograd.h>

namespace gan::models {
namespace {

struct Geometry {
  int64_t n, cin, cout, side, kernel, stride, padding;
};

// Forward, input gradient and weight gradient against libtorch's
// conv_transpose2d and autograd on the same inputs, for both geometries,
// several sizes and channel counts, and an output gradient given in
// either memory layout. Float32 products of different blocking agree to
// about 1e-6 relative; 1e-4 relative plus 1e-4 absolute (values are O(1)
// to O(10)) leaves room for accumulation order only.
TEST(ConvTransposeGemmTest, MatchesLibtorchForwardAndBackward) {
  const Geometry cases[] = {
      {5, 12, 8, 1, 4, 1, 0},  {3, 7, 5, 1, 7, 1, 0},
      {4, 16, 8, 4, 4, 2, 1},  {2, 8, 3, 7, 4, 2, 1},
      {3, 5, 16, 16, 4, 2, 1}, {1, 3, 2, 1, 4, 2, 1},
  };
  torch::manual_seed(3);
  for (const auto& g : cases) {
    for (bool channels_last_grad : {false, true}) {
      SCOPED_TRACE(testing::Message() << "side " << g.side << " kernel "
                                      << g.kernel << " stride " << g.stride
                                      << " cl grad " << channels_last_grad);
      const auto x0 = torch::randn({g.n, g.cin, g.side, g.side});
      const auto w0 = torch::randn({g.cin, g.cout, g.kernel, g.kernel});
      ASSERT_TRUE(conv_transpose_gemm_applies(x0, w0, g.stride, g.padding));
      auto x1 = x0.clone().requires_grad_(true);
      auto w1 = w0.clone().requires_grad_(true);
      auto x2 = x0.clone().requires_grad_(true);
      auto w2 = w0.clone().requires_grad_(true);
      const auto expected = torch::conv_transpose2d(x1, w1, {}, g.stride,
                                                    g.padding);
      const auto got = conv_transpose_gemm(x2, w2, g.stride, g.padding);
      ASSERT_EQ(got.sizes(), expected.sizes());
      EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-4))
          << (got - expected).abs().max().item<double>();

      auto grad = torch::randn_like(expected);
      if (channels_last_grad) {
        grad = grad.contiguous(at::MemoryFormat::ChannelsLast);
      }
      expected.backward(grad);
      got.backward(grad);
      EXPECT_TRUE(torch::allclose(x2.grad(), x1.grad(), 1e-4, 1e-4))
          << (x2.grad() - x1.grad()).abs().max().item<double>();
      EXPECT_TRUE(torch::allclose(w2.grad(), w1.grad(), 1e-4, 1e-4))
          << (w2.grad() - w1.grad()).abs().max().item<double>();
      EXPECT_EQ(w2.grad().sizes(), w0.sizes());
    }
  }
}

// Gradient penalties differentiate a backward pass (create_graph): the
// gradient of ||dy/dx||^2 with respect to the weight must match libtorch's
// for both geometries.
TEST(ConvTransposeGemmTest, BackwardPassesCanBeDifferentiated) {
  torch::manual_seed(6);
  struct Op {
    std::vector<int64_t> x, w;
    int64_t stride, padding;
  };
  for (const auto& op : {Op{{2, 6, 4, 4}, {6, 3, 4, 4}, 2, 1},
                         Op{{2, 6, 1, 1}, {6, 3, 4, 4}, 1, 0}}) {
    const auto x0 = torch::randn(op.x);
    const auto w0 = torch::randn(op.w);
    std::vector<torch::Tensor> weight_grads;
    for (bool gemm : {false, true}) {
      auto x = x0.clone().requires_grad_(true);
      auto w = w0.clone().requires_grad_(true);
      const auto y =
          gemm ? conv_transpose_gemm(x, w, op.stride, op.padding)
               : torch::conv_transpose2d(x, w, {}, op.stride, op.padding);
      const auto dx = torch::autograd::grad({(y * y).sum()}, {x}, {},
                                            /*retain_graph=*/true,
                                            /*create_graph=*/true)[0];
      dx.pow(2).sum().backward();
      weight_grads.push_back(w.grad());
    }
    EXPECT_TRUE(torch::allclose(weight_grads[1], weight_grads[0], 1e-4, 1e-3))
        << op.stride << ": "
        << (weight_grads[1] - weight_grads[0]).abs().max().item<double>();
  }
}

TEST(ConvTransposeGemmTest, OnlyTheInputsThatNeedAGradientGetOne) {
  const auto x = torch::randn({2, 4, 3, 3});
  auto w = torch::randn({4, 2, 4, 4}).requires_grad_(true);
  conv_transpose_gemm(x, w, 2, 1).sum().backward();
  EXPECT_FALSE(x.grad().defined());
  ASSERT_TRUE(w.grad().defined());
  auto w_ref = w.detach().clone().requires_grad_(true);
  torch::conv_transpose2d(x, w_ref, {}, 2, 1).sum().backward();
  EXPECT_TRUE(torch::allclose(w.grad(), w_ref.grad(), 1e-4, 1e-4));
}

TEST(ConvTransposeGemmTest, OtherGeometriesAndDevicesAreLeftToLibtorch) {
  const auto w = torch::randn({4, 2, 4, 4});
  EXPECT_FALSE(conv_transpose_gemm_applies(torch::randn({1, 4, 3, 3}), w, 1, 0));
  EXPECT_FALSE(conv_transpose_gemm_applies(torch::randn({1, 4, 3, 3}), w, 2, 0));
  EXPECT_FALSE(conv_transpose_gemm_applies(torch::randn({1, 4, 3, 3}),
                                           torch::randn({4, 2, 3, 3}), 2, 1));
  EXPECT_FALSE(conv_transpose_gemm_applies(
      torch::randn({1, 4, 3, 3}, torch::kFloat64), w.to(torch::kFloat64), 2, 1));
  EXPECT_FALSE(conv_transpose_gemm_applies(torch::randn({1, 5, 3, 3}), w, 2, 1));
  EXPECT_TRUE(conv_transpose_gemm_applies(torch::randn({1, 4, 3, 3}), w, 2, 1));
  EXPECT_TRUE(conv_transpose_gemm_applies(torch::randn({1, 4, 1, 1}), w, 1, 0));
}

}  // namespace
}  // namespace gan::models
