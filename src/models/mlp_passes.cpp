// Hand-written forward and backward passes of the MLP nets. Matrix
// products go to BLAS through ATen's *_out functions (into buffers kept
// between calls); the element-wise stages are the loops below, split over
// rows with at::parallel_for. The gradients through D's maxout layers
// skip the pieces that lost and the units dropped (the sparse kernels
// below) instead of multiplying mostly-zero matrices.
#include "gan/models/mlp_passes.h"

#include <algorithm>

#include <ATen/Parallel.h>

#include "gan/core/hash.h"
#include "gan/models/mlp.h"

namespace gan::models {
namespace {

// Marks a unit removed by dropout in a maxout layer's winner table.
constexpr uint8_t kDropped = 255;
// Elements per parallel task: below this, threads cost more than they save.
constexpr int64_t kGrain = 16384;

// TODO(perf): half of a paper-MLP step is outside the matrix products
// (these loops, libtorch's element-wise passes and dispatch, OpenMP
// threads waiting between them); fusing the element-wise stages into the
// products' epilogues would cut it (docs/performance.md has the profile).
// The sparse maxout kernels below update their result rows in memory
// once per kept unit; a blocking that keeps partial sums in registers
// would run them nearer the core's peak.

// A well-mixed 64-bit hash of (seed, index): SplitMix64's output for the
// index-th state after `seed`.
inline uint64_t hash(uint64_t seed, uint64_t index) {
  return splitmix64_mix(seed + index * kSplitMix64Gamma);
}

// A dropout mask as a function of the element index: kept when the top 32
// bits of the element's hash fall below keep * 2^32 (so keep = 1 keeps
// everything); kept values are scaled by 1 / keep (inverted dropout).
struct DropoutMask {
  DropoutMask(uint64_t seed, double keep)
      : seed(seed),
        threshold(static_cast<uint64_t>(keep * 4294967296.0)),
        scale(static_cast<float>(1.0 / keep)) {}

  bool kept(int64_t i) const {
    return (hash(seed, static_cast<uint64_t>(i)) >> 32) < threshold;
  }

  uint64_t seed;
  uint64_t threshold;
  float scale;
};

// The mask before affine layer `layer` of a forward pass seeded `seed`.
DropoutMask mask_for(uint64_t seed, size_t layer, double keep) {
  return DropoutMask(hash(seed, 0x6d61736b00000000ull + layer), keep);
}

// The loops below (dropout, maxout, ReLU, the sparse gradients) are also
// compiled for x86-64-v4 (AVX-512 with 64-bit integer products, which the
// dropout hash needs to vectorise) and picked at load time where the CPU
// has it; gan's own code is otherwise built for baseline x86-64.
#define GAN_WIDE_KERNEL                                      \
  __attribute__((target_clones("arch=x86-64-v4", "default"), \
                 optimize("tree-vectorize", "vect-cost-model=dynamic")))

// Dropout on D's input for elements [begin, end): kept inputs scaled,
// and a flag per element.
GAN_WIDE_KERNEL
void input_dropout(const float* in, const DropoutMask& mask, int64_t begin,
                   int64_t end, float* out, uint8_t* kept) {
  // A copy the stores below cannot alias, so the loop vectorises.
  const DropoutMask m = mask;
  for (int64_t i = begin; i < end; ++i) {
    const bool k = m.kept(i);
    kept[i] = k;
    out[i] = k ? in[i] * m.scale : 0.0f;
  }
}

// Through a ReLU for elements [begin, end): the gradient gh stays where
// the layer's output h is positive and is zeroed elsewhere (a NaN too).
// A select, not a branch: half the units are off, at random.
GAN_WIDE_KERNEL
void relu_backward(const float* h, int64_t begin, int64_t end, float* gh) {
  for (int64_t i = begin; i < end; ++i) gh[i] = h[i] > 0.0f ? gh[i] : 0.0f;
}

// Maxout with the dropout after it, for units [begin, end) of a [N * U]
// output whose pieces are a [N * U, P]: the best piece of each unit (the
// first of equals; a NaN wins over what came before it, as in max()),
// then scaled or dropped. Pieces go in the outer loop so that the inner
// loops select rather than branch on coin flips, and vectorise.
GAN_WIDE_KERNEL
void maxout_dropout(const float* a, int64_t pieces, const DropoutMask& mask,
                    int64_t begin, int64_t end, float* out, uint8_t* winner) {
  const DropoutMask m = mask;       // as in input_dropout()
  constexpr int64_t kBlock = 2048;  // units whose partial results stay in L1
  for (int64_t b = begin; b < end; b += kBlock) {
    const int64_t e = std::min(end, b + kBlock);
    for (int64_t i = b; i < e; ++i) {
      out[i] = a[i * pieces];
      winner[i] = 0;
    }
    for (int64_t q = 1; q < pieces; ++q) {
      for (int64_t i = b; i < e; ++i) {
        const float v = a[i * pieces + q];
        const bool take = !(v <= out[i]);
        out[i] = take ? v : out[i];
        winner[i] = take ? static_cast<uint8_t>(q) : winner[i];
      }
    }
    for (int64_t i = b; i < e; ++i) {
      const bool k = m.kept(i);
      out[i] = k ? out[i] * m.scale : 0.0f;
      winner[i] = k ? winner[i] : kDropped;
    }
  }
}

// Runs body(i) for i in [0, n) on libtorch's threads.
template <typename Body>
void for_each_index(int64_t n, int64_t grain, const Body& body) {
  at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) body(i);
  });
}

// The gradient tensor of `param`, allocated once and then overwritten.
torch::Tensor& grad_of(const torch::Tensor& param) {
  auto& grad = const_cast<torch::Tensor&>(param).mutable_grad();
  if (!grad.defined() || !grad.sizes().equals(param.sizes()) ||
      !grad.is_contiguous() || grad.scalar_type() != param.scalar_type()) {
    grad = torch::empty_like(param);
  }
  return grad;
}

// out = bias + a b (or a b when `bias` is undefined), float32, into `out`
// (resized when it is not a view of the right size). With `bf16`, the
// operands are rounded to bfloat16 (`b` may already be bfloat16) and the
// bfloat16 product widened into `out`; the bias is added in float32.
void product(torch::Tensor out, const torch::Tensor& bias,
             const torch::Tensor& a, const torch::Tensor& b, bool bf16) {
  if (!bf16) {
    if (bias.defined()) {
      at::addmm_out(out, bias, a, b);
    } else {
      at::mm_out(out, a, b);
    }
    return;
  }
  const auto low = at::mm(a.to(at::kBFloat16), b.to(at::kBFloat16));
  out.resize_(low.sizes());
  out.copy_(low);
  if (bias.defined()) out.add_(bias);
}

// Weight and bias gradients of y = x W^T + b from dL/dy [N, O] and x [N, I].
void affine_weight_grads(const Dense& layer, const torch::Tensor& grad_y,
                         const torch::Tensor& x, bool bf16) {
  product(grad_of(layer->weight), {}, grad_y.t(), x, bf16);
  at::sum_out(grad_of(layer->bias), grad_y, {0});
}

// bfloat16 copies of the layers' weights, made once per forward pass and
// used by its backward pass too; empty when products are float32.
void round_weights(const std::vector<Dense>& layers, bool bf16,
                   std::vector<torch::Tensor>& out) {
  out.resize(layers.size());
  if (!bf16) return;
  for (size_t k = 0; k < layers.size(); ++k) {
    if (!out[k].defined()) out[k] = torch::empty({0}, at::kBFloat16);
    out[k].resize_(layers[k]->weight.sizes());
    out[k].copy_(layers[k]->weight);
  }
}

// Layer k's weight [O, I] as a product's operand: the float32 parameter,
// or its bfloat16 copy from round_weights().
const torch::Tensor& operand(const std::vector<Dense>& layers,
                             const std::vector<torch::Tensor>& rounded,
                             bool bf16, size_t k) {
  return bf16 ? rounded[k] : layers[k]->weight;
}

float* data(torch::Tensor& t) { return t.data_ptr<float>(); }
const float* data(const torch::Tensor& t) { return t.data_ptr<float>(); }

// y[0, n) += a x[0, n), inlined into the kernels below.
__attribute__((always_inline)) inline void axpy(float a,
                                                const float* __restrict x,
                                                float* __restrict y,
                                                int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// The gradient at a maxout layer's units: gh [N, U] times `scale` (the
// dropout after the layer) where the unit was kept, reaching only the
// winning piece of each unit. Four in five entries of the dense gradient
// at the affine map's outputs [N, U * P] are zero (P = 5) and dropout zeroes
// half the rest, so the two kernels below visit only the kept units
// instead of multiplying the dense gradient: about a tenth of the work of
// the products they replace. Both sum in a fixed order whatever the
// thread count.
struct MaxoutGradient {
  const float* gh;        // [N, U]
  const uint8_t* winner;  // [N, U], kDropped where dropout removed the unit
  float scale;
  int64_t n, units, pieces;
};

// dW [U * P, I] and db [U * P] of the affine map below the maxout, for
// units [begin, end): row (u, q) of dW sums x[i] over the examples i whose
// unit u piece q won, weighted by the unit's gradient.
GAN_WIDE_KERNEL
void maxout_weight_grads_of(const MaxoutGradient& g, const float* x,
                            int64_t inputs, int64_t begin, int64_t end,
                            float* dw, float* db) {
  std::fill(dw + begin * g.pieces * inputs, dw + end * g.pieces * inputs, 0.0f);
  std::fill(db + begin * g.pieces, db + end * g.pieces, 0.0f);
  for (int64_t u = begin; u < end; ++u) {
    for (int64_t i = 0; i < g.n; ++i) {
      const uint8_t w = g.winner[i * g.units + u];
      if (w == kDropped) continue;
      const float v = g.gh[i * g.units + u] * g.scale;
      const int64_t row = u * g.pieces + w;
      axpy(v, x + i * inputs, dw + row * inputs, inputs);
      db[row] += v;
    }
  }
}

// Threads split the units.
void maxout_weight_grads(const MaxoutGradient& g, const float* x,
                         int64_t inputs, float* dw, float* db) {
  at::parallel_for(0, g.units, 1, [&](int64_t begin, int64_t end) {
    maxout_weight_grads_of(g, x, inputs, begin, end, dw, db);
  });
}

// Rows [begin, end) of dL/dx [N, I]: the sum over each example's kept
// units of the unit's gradient times the winning piece's weight row
// (W [U * P, I]). Units go in the outer loop, so a unit's rows of W are
// read once per block of examples.
GAN_WIDE_KERNEL
void maxout_input_grads_of(const MaxoutGradient& g, const float* weight,
                           int64_t inputs, int64_t begin, int64_t end,
                           float* dx) {
  std::fill(dx + begin * inputs, dx + end * inputs, 0.0f);
  for (int64_t u = 0; u < g.units; ++u) {
    for (int64_t i = begin; i < end; ++i) {
      const uint8_t w = g.winner[i * g.units + u];
      if (w == kDropped) continue;
      const float v = g.gh[i * g.units + u] * g.scale;
      axpy(v, weight + (u * g.pieces + w) * inputs, dx + i * inputs, inputs);
    }
  }
}

// Threads split the examples, so each owns whole rows of dx.
void maxout_input_grads(const MaxoutGradient& g, const float* weight,
                        int64_t inputs, float* dx) {
  at::parallel_for(0, g.n, 1, [&](int64_t begin, int64_t end) {
    maxout_input_grads_of(g, weight, inputs, begin, end, dx);
  });
}

#undef GAN_WIDE_KERNEL

}  // namespace

bool mlp_passes_apply(const Generator& generator,
                      const Discriminator& discriminator) {
  const auto* g = dynamic_cast<const MlpGeneratorImpl*>(&generator);
  const auto* d = dynamic_cast<const MlpDiscriminatorImpl*>(&discriminator);
  if (!g || !d || g->num_classes() > 0 || d->num_classes() > 0) return false;
  if (d->activation() != MlpActivation::kMaxout || d->pieces() > 254) {
    return false;
  }
  for (const auto& layer : d->layers()) {
    if (layer->spectral) return false;
  }
  for (const torch::nn::Module* net :
       {static_cast<const torch::nn::Module*>(g),
        static_cast<const torch::nn::Module*>(d)}) {
    for (const auto& p : net->parameters()) {
      if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat32) {
        return false;
      }
    }
  }
  return true;
}

// ------------------------------------------------------------------- G --

MlpGeneratorPass::MlpGeneratorPass(MlpGeneratorImpl& generator,
                                   bool bf16_products)
    : generator_(generator), layers_(generator.layers()), bf16_(bf16_products) {
  const auto options = torch::TensorOptions(torch::kFloat32);
  hidden_.resize(layers_.size() - 1);
  for (auto& h : hidden_) h = torch::empty({0}, options);
  output_ = torch::empty({0}, options);
  grad_a_ = torch::empty({0}, options);
  grad_h_ = torch::empty({0}, options);
}

torch::Tensor MlpGeneratorPass::weight(size_t k) const {
  return operand(layers_, weights_bf16_, bf16_, k);
}

torch::Tensor MlpGeneratorPass::forward(const torch::Tensor& z,
                                        bool for_backward, torch::Tensor out) {
  // The parameters require gradients; the *_out products refuse to record
  // them, and nothing here is for autograd.
  torch::NoGradGuard no_grad;
  const int64_t n = z.size(0);
  torch::Tensor h = z.contiguous();
  z_ = h;
  round_weights(layers_, bf16_, weights_bf16_);
  for (size_t k = 0; k + 1 < layers_.size(); ++k) {
    const auto& layer = layers_[k];
    hidden_[k].resize_({n, layer->weight.size(0)});
    product(hidden_[k], layer->bias, h, weight(k).t(), bf16_);
    hidden_[k].clamp_min_(0);
    h = hidden_[k];
  }
  const auto& last = layers_.back();
  if (!out.defined()) {
    output_.resize_({n, last->weight.size(0)});
    out = output_;
  }
  product(out, last->bias, h, weight(layers_.size() - 1).t(), bf16_);
  switch (generator_.output()) {
    case OutputActivation::kSigmoid:
      out.sigmoid_();
      break;
    case OutputActivation::kTanh:
      out.tanh_();
      break;
    case OutputActivation::kIdentity:
      break;
  }
  if (for_backward) output_ = out;
  return out;
}

void MlpGeneratorPass::backward(const torch::Tensor& grad_output) {
  torch::NoGradGuard no_grad;
  // Through the output activation, written as a function of its output y.
  const auto g = grad_output.contiguous();
  grad_a_.resize_as_(output_);
  const float* gy = data(g);
  const float* y = data(output_);
  float* ga = data(grad_a_);
  switch (generator_.output()) {
    case OutputActivation::kSigmoid:
      for_each_index(output_.numel(), kGrain,
                     [&](int64_t i) { ga[i] = gy[i] * y[i] * (1.0f - y[i]); });
      break;
    case OutputActivation::kTanh:
      for_each_index(output_.numel(), kGrain,
                     [&](int64_t i) { ga[i] = gy[i] * (1.0f - y[i] * y[i]); });
      break;
    case OutputActivation::kIdentity:
      grad_a_.copy_(g);
      break;
  }

  // Down the layers: weight gradients, then through the ReLU below.
  for (size_t k = layers_.size(); k-- > 0;) {
    const auto& below = k > 0 ? hidden_[k - 1] : z_;
    affine_weight_grads(layers_[k], grad_a_, below, bf16_);
    if (k == 0) break;
    grad_h_.resize_({grad_a_.size(0), layers_[k]->weight.size(1)});
    product(grad_h_, {}, grad_a_, weight(k), bf16_);
    float* gh = data(grad_h_);
    const float* h = data(below);
    at::parallel_for(
        0, grad_h_.numel(), kGrain,
        [&](int64_t begin, int64_t end) { relu_backward(h, begin, end, gh); });
    std::swap(grad_a_, grad_h_);
  }
}

// ------------------------------------------------------------------- D --

MlpDiscriminatorPass::MlpDiscriminatorPass(MlpDiscriminatorImpl& discriminator,
                                           bool bf16_products)
    : discriminator_(discriminator),
      layers_(discriminator.layers()),
      bf16_(bf16_products),
      keep_(discriminator.keep_probabilities()),
      pieces_(discriminator.pieces()) {
  const auto f32 = torch::TensorOptions(torch::kFloat32);
  const auto u8 = torch::TensorOptions(torch::kUInt8);
  const size_t hidden = layers_.size() - 1;
  input_ = torch::empty({0}, f32);
  input_kept_ = torch::empty({0}, u8);
  for (size_t l = 0; l < hidden; ++l) {
    pre_.push_back(torch::empty({0}, f32));
    hidden_.push_back(torch::empty({0}, f32));
    winner_.push_back(torch::empty({0}, u8));
  }
  grad_h_ = torch::empty({0}, f32);
  grad_below_ = torch::empty({0}, f32);
  grad_x_ = torch::empty({0}, f32);
}

torch::Tensor MlpDiscriminatorPass::weight(size_t k) const {
  return operand(layers_, weights_bf16_, bf16_, k);
}

torch::Tensor MlpDiscriminatorPass::forward(const torch::Tensor& x,
                                            uint64_t seed) {
  torch::NoGradGuard no_grad;
  seed_ = seed;
  const auto flat = x.reshape({x.size(0), -1}).contiguous();
  const int64_t n = flat.size(0);

  // Dropout on D's input, remembering which inputs were kept.
  input_.resize_as_(flat);
  input_kept_.resize_(flat.sizes());
  {
    const DropoutMask mask = mask_for(seed_, 0, keep_[0]);
    const float* in = data(flat);
    float* out = data(input_);
    uint8_t* kept = input_kept_.data_ptr<uint8_t>();
    at::parallel_for(0, flat.numel(), kGrain, [&](int64_t begin, int64_t end) {
      input_dropout(in, mask, begin, end, out, kept);
    });
  }

  // Maxout layers: the affine map, then per unit the best piece, dropped
  // or scaled by the next layer's dropout.
  round_weights(layers_, bf16_, weights_bf16_);
  torch::Tensor h = input_;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) {
    const auto& layer = layers_[l];
    const int64_t units = layer->weight.size(0) / pieces_;
    pre_[l].resize_({n, layer->weight.size(0)});
    product(pre_[l], layer->bias, h, weight(l).t(), bf16_);
    hidden_[l].resize_({n, units});
    winner_[l].resize_({n, units});
    const DropoutMask mask = mask_for(seed_, l + 1, keep_[l + 1]);
    const float* a = data(pre_[l]);
    float* out = data(hidden_[l]);
    uint8_t* winner = winner_[l].data_ptr<uint8_t>();
    at::parallel_for(
        0, n * units, kGrain / pieces_, [&](int64_t begin, int64_t end) {
          maxout_dropout(a, pieces_, mask, begin, end, out, winner);
        });
    h = hidden_[l];
  }
  // The last layer has one output: a matrix-vector product, kept float32.
  const auto& last = layers_.back();
  return at::addmm(last->bias, h, last->weight.t()).view({n});
}

torch::Tensor MlpDiscriminatorPass::backward(const torch::Tensor& grad_logits,
                                             bool weights, bool input) {
  torch::NoGradGuard no_grad;
  const int64_t n = grad_logits.size(0);
  const auto g = grad_logits.reshape({n, 1}).contiguous();
  const size_t hidden = layers_.size() - 1;
  const auto& last = layers_.back();
  if (weights) {
    affine_weight_grads(last, g, hidden > 0 ? hidden_[hidden - 1] : input_,
                        /*bf16=*/false);
  }
  if (hidden == 0 && !input) return {};
  grad_h_.resize_({n, last->weight.size(1)});
  at::mm_out(grad_h_, g, last->weight);

  for (size_t l = hidden; l-- > 0;) {
    // Through maxout and its dropout: the gradient goes to the winning
    // piece of each kept unit.
    const auto& layer = layers_[l];
    const auto& below = l > 0 ? hidden_[l - 1] : input_;
    const int64_t inputs = layer->weight.size(1);
    const MaxoutGradient g{data(grad_h_),
                           winner_[l].data_ptr<uint8_t>(),
                           static_cast<float>(1.0 / keep_[l + 1]),
                           n,
                           layer->weight.size(0) / pieces_,
                           pieces_};
    // Float32 in bf16 mode too: sparse, these cost less than the dense
    // bf16 products and their conversions.
    if (weights) {
      maxout_weight_grads(g, data(below), inputs, data(grad_of(layer->weight)),
                          data(grad_of(layer->bias)));
    }
    if (l == 0 && !input) return {};
    grad_below_.resize_({n, inputs});
    maxout_input_grads(g, data(layer->weight.contiguous()), inputs,
                       data(grad_below_));
    std::swap(grad_h_, grad_below_);
  }

  // Through the input dropout.
  grad_x_.resize_as_(grad_h_);
  const DropoutMask mask = mask_for(seed_, 0, keep_[0]);
  const float* gh = data(grad_h_);
  const uint8_t* kept = input_kept_.data_ptr<uint8_t>();
  float* gx = data(grad_x_);
  for_each_index(grad_x_.numel(), kGrain, [&](int64_t i) {
    gx[i] = kept[i] ? gh[i] * mask.scale : 0.0f;
  });
  return grad_x_;
}

torch::Tensor MlpDiscriminatorPass::dropout_mask(size_t layer) const {
  if (layer == 0) {
    return input_kept_.to(torch::kFloat32) / keep_[0];
  }
  return winner_[layer - 1].ne(kDropped).to(torch::kFloat32) / keep_[layer];
}

}  // namespace gan::models
