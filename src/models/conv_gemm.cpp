// Transposed convolutions as one matrix product over the batch, with an
// overlap-add (forward) or a patch gather (backward) around it; see the
// header.
#include "gan/models/conv_gemm.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

namespace gan::models {
namespace {

// Along one axis of the 4 x 4, stride-2, padding-1 geometry, output o
// takes (input, tap) pairs: o = 2m from (m, 1) and (m - 1, 3); o = 2m + 1
// from (m + 1, 0) and (m, 2). An input outside [0, size) is marked -1.
struct Taps {
  int64_t in[2];
  int64_t tap[2];
};

Taps taps_of(int64_t o, int64_t size) {
  const int64_t m = o / 2;
  Taps t = o % 2 == 0 ? Taps{{m, m - 1}, {1, 3}} : Taps{{m + 1, m}, {0, 2}};
  for (auto& i : t.in) {
    if (i < 0 || i >= size) i = -1;
  }
  return t;
}

// The inverse of the overlap-add: the output gradient go [n, 2h, 2w, c]
// cut into the patches [n, h, w, 4, 4, c] of each input pixel, zero where
// a patch reaches past the border.
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
void gather_patches_4x4s2(const float* __restrict go, int64_t n, int64_t h,
                          int64_t w, int64_t c, float* __restrict patches) {
  const int64_t oh = 2 * h;
  const int64_t ow = 2 * w;
  at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t image = row / h;
      const int64_t iy = row % h;
      float* p = patches + row * w * 16 * c;
      for (int64_t ix = 0; ix < w; ++ix) {
        for (int64_t ky = 0; ky < 4; ++ky) {
          const int64_t oy = 2 * iy - 1 + ky;
          for (int64_t kx = 0; kx < 4; ++kx, p += c) {
            const int64_t ox = 2 * ix - 1 + kx;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) {
              for (int64_t k = 0; k < c; ++k) p[k] = 0.0f;
              continue;
            }
            const float* g = go + ((image * oh + oy) * ow + ox) * c;
            for (int64_t k = 0; k < c; ++k) p[k] = g[k];
          }
        }
      }
    }
  });
}

// [N, C, H, W] in channels-last memory as rows [N*H*W, C] (a view).
torch::Tensor as_rows(const torch::Tensor& channels_last) {
  return channels_last.permute({0, 2, 3, 1}).reshape(
      {-1, channels_last.size(1)});
}

// Rows [N*H*W, C] back as [N, C, H, W] in channels-last memory (a view).
torch::Tensor from_rows(const torch::Tensor& rows, int64_t n, int64_t h,
                        int64_t w) {
  return rows.view({n, h, w, rows.size(1)}).permute({0, 3, 1, 2});
}

// The gradients of (transposed) convolution y = conv(x, w) from dL/dy
// through libtorch's convolution_backward, which has a derivative of its
// own; for backward passes run with create_graph. Returns {dx, dw}.
torch::autograd::tensor_list differentiable_backward(
    torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
    const torch::Tensor& weight, const torch::Tensor& grad, bool transposed,
    int64_t stride, int64_t padding) {
  const std::array<bool, 3> mask = {ctx->needs_input_grad(0),
                                    ctx->needs_input_grad(1), false};
  auto [dx, dw, db] = at::convolution_backward(
      grad, x, weight, c10::nullopt, {stride, stride}, {padding, padding},
      {1, 1}, transposed, {0, 0}, 1, mask);
  return {dx, dw};
}

class ConvTransposeGemm
    : public torch::autograd::Function<ConvTransposeGemm> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                               const torch::Tensor& x,
                               const torch::Tensor& weight, bool spread) {
    const int64_t n = x.size(0);
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    const int64_t k = weight.size(2);
    const int64_t cout = weight.size(1);
    const auto xc = x.contiguous(at::MemoryFormat::ChannelsLast);
    // Wm [Cin, k*k*Cout], columns ordered (ky, kx, Cout).
    const auto wm =
        weight.permute({0, 2, 3, 1}).reshape({weight.size(0), -1}).contiguous();
    ctx->save_for_backward({x, weight, xc, wm});
    ctx->saved_data["spread"] = spread;
    const auto patches = at::mm(as_rows(xc), wm);
    if (spread) {
      // The k x k patch of the single input pixel is the output.
      return from_rows(patches.view({-1, cout}), n, k, k);
    }
    auto out = torch::empty({n * 4 * h * w, cout}, x.options());
    overlap_add_4x4s2(patches.data_ptr<float>(), n, h, w, cout, nullptr,
                      /*relu=*/false, out.data_ptr<float>());
    return from_rows(out, n, 2 * h, 2 * w);
  }

  static torch::autograd::tensor_list backward(
      torch::autograd::AutogradContext* ctx,
      torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const bool spread = ctx->saved_data["spread"].toBool();
    if (torch::GradMode::is_enabled()) {
      // create_graph: a backward pass that autograd can differentiate.
      auto result = differentiable_backward(ctx, saved[0], saved[1],
                                            grads[0], /*transposed=*/true,
                                            spread ? 1 : 2, spread ? 0 : 1);
      result.emplace_back();  // the geometry flag
      return result;
    }
    const auto& xc = saved[2];
    const auto& wm = saved[3];
    const int64_t n = xc.size(0);
    const int64_t cin = xc.size(1);
    const int64_t h = xc.size(2);
    const int64_t w = xc.size(3);
    const int64_t cout = grads[0].size(1);
    const int64_t k = spread ? grads[0].size(2) : 4;
    const auto go = as_rows(grads[0].contiguous(at::MemoryFormat::ChannelsLast));
    // The output gradient as the patches' gradient [N*H*W, k*k*Cout].
    torch::Tensor gp;
    if (spread) {
      gp = go.view({n, -1});
    } else {
      gp = torch::empty({n * h * w, 16 * cout}, go.options());
      gather_patches_4x4s2(go.data_ptr<float>(), n, h, w, cout,
                           gp.data_ptr<float>());
    }
    torch::Tensor grad_x;
    torch::Tensor grad_w;
    if (ctx->needs_input_grad(0)) {
      grad_x = from_rows(at::mm(gp, wm.t()), n, h, w);
    }
    if (ctx->needs_input_grad(1)) {
      grad_w = at::mm(as_rows(xc).t(), gp)
                   .view({cin, k, k, cout})
                   .permute({0, 3, 1, 2})
                   .contiguous();
    }
    return {grad_x, grad_w, torch::Tensor()};
  }
};

}  // namespace

bool conv_transpose_gemm_applies(const torch::Tensor& x,
                                 const torch::Tensor& weight, int64_t stride,
                                 int64_t padding) {
  if (!x.device().is_cpu() || !weight.device().is_cpu() ||
      x.scalar_type() != torch::kFloat32 ||
      weight.scalar_type() != torch::kFloat32 || x.dim() != 4 ||
      weight.dim() != 4 || x.size(1) != weight.size(0) ||
      weight.size(2) != weight.size(3)) {
    return false;
  }
  const bool spread = x.size(2) == 1 && x.size(3) == 1 && stride == 1 &&
                      padding == 0;
  const bool doubling = weight.size(2) == 4 && stride == 2 && padding == 1;
  return spread || doubling;
}

torch::Tensor conv_transpose_gemm(const torch::Tensor& x,
                                  const torch::Tensor& weight, int64_t stride,
                                  int64_t padding) {
  TORCH_CHECK(conv_transpose_gemm_applies(x, weight, stride, padding),
              "conv_transpose_gemm: unsupported geometry");
  const bool spread = stride == 1;
  return ConvTransposeGemm::apply(x, weight, spread);
}

__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
void overlap_add_4x4s2(const float* __restrict patches, int64_t n, int64_t h,
                       int64_t w, int64_t c, const float* __restrict bias,
                       bool relu, float* __restrict out) {
  const int64_t oh = 2 * h;
  const int64_t ow = 2 * w;
  at::parallel_for(0, n * oh, 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t image = row / oh;
      const Taps ty = taps_of(row % oh, h);
      float* o = out + row * ow * c;
      for (int64_t ox = 0; ox < ow; ++ox, o += c) {
        const Taps tx = taps_of(ox, w);
        if (bias) {
          for (int64_t k = 0; k < c; ++k) o[k] = bias[k];
        } else {
          for (int64_t k = 0; k < c; ++k) o[k] = 0.0f;
        }
        for (int a = 0; a < 2; ++a) {
          if (ty.in[a] < 0) continue;
          for (int b = 0; b < 2; ++b) {
            if (tx.in[b] < 0) continue;
            const float* p =
                patches +
                ((((image * h + ty.in[a]) * w + tx.in[b]) * 4 + ty.tap[a]) * 4 +
                 tx.tap[b]) *
                    c;
            for (int64_t k = 0; k < c; ++k) o[k] += p[k];
          }
        }
        if (relu) {
          for (int64_t k = 0; k < c; ++k) o[k] = o[k] > 0.0f ? o[k] : 0.0f;
        }
      }
    }
  });
}

}  // namespace gan::models
