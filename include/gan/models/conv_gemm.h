// Transposed convolutions as batch-wide matrix products, for DCGAN's
// generator on the CPU.
//
// libtorch's CPU transposed convolution runs one small matrix product per
// image (H*W rows: 16 to 256 in DCGAN-32), so OpenBLAS spends much of its
// time packing operands and its threads waiting. Here the whole batch is
// one product: with the input as rows X [N*H*W, Cin] (channels-last) and
// the weight as Wm [Cin, k*k*Cout], P = X Wm holds each input pixel's
// k x k patch of output, and an overlap-add sums the patches into the
// output. Its backward pass is the same in reverse: the output gradient
// is cut into patches, then two products give the input and weight
// gradients.
//
// D's strided convolutions stay with libtorch, which runs them in oneDNN's
// kernels, faster than OpenBLAS at these shapes.
//
// Geometries taken: a 1 x 1 input spread by a k x k kernel (stride 1, no
// padding: the patch is the output), and a 4 x 4 kernel with stride 2 and
// padding 1, the two DCGAN uses. A backward pass that must itself be
// differentiated (create_graph, as a penalty on gradients needs) goes through
// libtorch's convolution_backward, which is.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::models {

// Whether conv_transpose_gemm computes conv_transpose2d(x, weight, stride,
// padding) (no output padding, dilation 1, one group): float32 on the CPU,
// x [N, Cin, H, W], weight [Cin, Cout, k, k], one of the two geometries.
bool conv_transpose_gemm_applies(const torch::Tensor& x,
                                 const torch::Tensor& weight, int64_t stride,
                                 int64_t padding);

// conv_transpose2d(x, weight, stride, padding) without bias, differentiable
// in x and weight. The result [N, Cout, H', W'] is laid out channels-last.
torch::Tensor conv_transpose_gemm(const torch::Tensor& x,
                                  const torch::Tensor& weight, int64_t stride,
                                  int64_t padding);

// The overlap-add of the 4 x 4, stride-2, padding-1 geometry: patches
// [n, h, w, 4, 4, c] -> out [n, 2h, 2w, c] (both channels-last and
// contiguous), plus bias[c] when `bias` is not null, then ReLU if `relu`.
void overlap_add_4x4s2(const float* patches, int64_t n, int64_t h, int64_t w,
                       int64_t c, const float* bias, bool relu, float* out);

}  // namespace gan::models
