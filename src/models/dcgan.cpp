// DCGAN generator and discriminator for any size of the two families.
#include "gan/models/dcgan.h"

#include <fmt/format.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/normalization.h>

#include "gan/core/error.h"
#include "gan/models/conditioning.h"
#include "gan/models/conv_gemm.h"

namespace gan::models {
namespace {

constexpr double kLeakySlope = 0.2;
constexpr int64_t kKernel = 4;  // every up- or down-sampling layer: 4x4, stride 2

std::shared_ptr<torch::nn::Module> make_norm(NormKind kind, int64_t channels,
                                             double init_std) {
  torch::NoGradGuard no_grad;
  if (kind == NormKind::kBatch) {
    torch::nn::BatchNorm2d norm(channels);
    norm->weight.normal_(1.0, init_std);
    norm->bias.zero_();
    return norm.ptr();
  }
  if (kind == NormKind::kLayer) {
    torch::nn::GroupNorm norm(torch::nn::GroupNormOptions(1, channels));
    norm->weight.normal_(1.0, init_std);
    norm->bias.zero_();
    return norm.ptr();
  }
  return nullptr;
}

torch::Tensor apply_norm(const std::shared_ptr<torch::nn::Module>& norm,
                         const torch::Tensor& x) {
  if (auto* bn = norm->as<torch::nn::BatchNorm2d>()) return bn->forward(x);
  return norm->as<torch::nn::GroupNorm>()->forward(x);
}

// An evaluation-mode batch norm is a per-channel affine map of its input,
// so it folds into the transposed convolution before it: weights
// [in, out, k, k] scaled per output channel, and a bias. Sampling then
// makes one pass, and one activation, per block instead of two.
torch::Tensor conv_with_folded_norm(const torch::nn::ConvTranspose2dImpl& conv,
                                    const torch::nn::BatchNorm2dImpl& bn,
                                    const torch::Tensor& x) {
  const auto scale = bn.weight / torch::sqrt(bn.running_var + bn.options.eps());
  auto bias = bn.bias - bn.running_mean * scale;
  if (conv.bias.defined()) bias = bias + conv.bias * scale;
  const auto& o = conv.options;
  // Transposed convolutions take explicit padding only.
  const auto& padding = c10::get<torch::ExpandingArray<2>>(o.padding());
  return torch::conv_transpose2d(x, conv.weight * scale.view({1, -1, 1, 1}),
                                 bias, o.stride(), padding, o.output_padding(),
                                 o.groups(), o.dilation());
}

// conv->forward(x), through one matrix product over the batch where
// conv_transpose_gemm takes the layer (float32 on the CPU).
torch::Tensor transposed_conv(torch::nn::ConvTranspose2dImpl& conv,
                              const torch::Tensor& x) {
  const auto& o = conv.options;
  const auto& padding = c10::get<torch::ExpandingArray<2>>(o.padding());
  const int64_t stride = (*o.stride())[0];
  const bool plain = (*o.stride())[1] == stride &&
                     (*padding)[0] == (*padding)[1] &&
                     (*o.output_padding())[0] == 0 &&
                     (*o.output_padding())[1] == 0 && o.groups() == 1 &&
                     (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1;
  if (!plain ||
      !conv_transpose_gemm_applies(x, conv.weight, stride, (*padding)[0])) {
    return conv.forward(x);
  }
  auto y = conv_transpose_gemm(x, conv.weight, stride, (*padding)[0]);
  if (conv.bias.defined()) y = y + conv.bias.view({1, -1, 1, 1});
  return y;
}

// G's output activation, in place.
torch::Tensor activate(torch::Tensor h, OutputActivation output) {
  switch (output) {
    case OutputActivation::kSigmoid: return torch::sigmoid_(h);
    case OutputActivation::kTanh: return torch::tanh_(h);
    case OutputActivation::kIdentity: return h;
  }
  return h;
}

}  // namespace

std::pair<int64_t, int64_t> dcgan_geometry(int64_t size) {
  for (int64_t base : {4, 7}) {
    int64_t side = base * 2;
    for (int64_t n = 1; side <= size; ++n, side *= 2) {
      if (side == size) return {base, n};
    }
  }
  throw Error(fmt::format(
      "DCGAN: image size {} is not supported; expected 4 * 2^n or 7 * 2^n "
      "(8, 14, 16, 28, 32, 56, 64, ...); hint: set data.image_size",
      size));
}

DcganGeneratorImpl::DcganGeneratorImpl(int64_t latent_dim,
                                       std::vector<int64_t> sample_shape,
                                       const DcganConfig& config,
                                       OutputActivation output,
                                       int64_t num_classes)
    : latent_dim_(latent_dim),
      shape_(std::move(sample_shape)),
      output_(output),
      num_classes_(num_classes) {
  if (shape_.size() != 3 || shape_[1] != shape_[2]) {
    throw Error("DCGAN: expected square images [C, S, S]");
  }
  const auto [base, doublings] = dcgan_geometry(shape_[1]);
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  norms_ = register_module("norms", torch::nn::ModuleList());

  // z (+ class) -> base x base, then doublings, the last to C channels.
  int64_t channels = config.g_width << (doublings - 1);
  using torch::nn::ConvTranspose2dOptions;
  blocks_->push_back(torch::nn::ConvTranspose2d(
      ConvTranspose2dOptions(latent_dim + num_classes, channels, base)
          .bias(config.g_norm == NormKind::kNone)));
  for (int64_t i = 0; i < doublings; ++i) {
    if (auto norm = make_norm(config.g_norm, channels, config.init_std)) {
      norms_->push_back(norm);
    }
    const bool last = i == doublings - 1;
    const int64_t next = last ? shape_[0] : channels / 2;
    blocks_->push_back(torch::nn::ConvTranspose2d(
        ConvTranspose2dOptions(channels, next, kKernel)
            .stride(2)
            .padding(1)
            .bias(last || config.g_norm == NormKind::kNone)));
    channels = next;
  }

  torch::NoGradGuard no_grad;
  for (const auto& block : *blocks_) {
    auto* conv = block->as<torch::nn::ConvTranspose2d>();
    conv->weight.normal_(0.0, config.init_std);
    if (conv->bias.defined()) conv->bias.zero_();
  }
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z,
                                          const torch::Tensor& labels) {
  auto h = append_one_hot(z, labels, num_classes_);
  if (has_sample_pass(h)) return activate(sample_pass(h.contiguous()), output_);
  h = h.view({h.size(0), h.size(1), 1, 1});
  const size_t hidden = blocks_->size() - 1;
  for (size_t i = 0; i < blocks_->size(); ++i) {
    auto* conv = blocks_[i]->as<torch::nn::ConvTranspose2d>();
    const auto* bn = i < hidden && !norms_->is_empty()
                         ? norms_[i]->as<torch::nn::BatchNorm2d>()
                         : nullptr;
    if (bn && bn->options.track_running_stats() && !is_training() &&
        !torch::GradMode::is_enabled()) {
      h = conv_with_folded_norm(*conv, *bn, h);
      h = torch::relu_(h);
      continue;
    }
    h = transposed_conv(*conv, h);
    if (i < hidden) {
      if (!norms_->is_empty()) h = apply_norm(norms_[i], h);
      // In place, as nothing else holds h: no backward formula needs the
      // pre-activation, and it saves a pass over memory.
      h = torch::relu_(h);
    }
  }
  // The products leave h channels-last; D and the callers get the usual
  // contiguous layout (a small copy at the output's size).
  return activate(h, output_).contiguous();
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(
    std::vector<int64_t> sample_shape, const DcganConfig& config,
    bool spectral_norm, int64_t num_classes)
    : num_classes_(num_classes) {
  if (sample_shape.size() != 3 || sample_shape[1] != sample_shape[2]) {
    throw Error("DCGAN: expected square images [C, S, S]");
  }
  const auto [base, doublings] = dcgan_geometry(sample_shape[1]);
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  norms_ = register_module("norms", torch::nn::ModuleList());

  // C -> d_width at S/2, doubling channels while halving the side.
  int64_t channels = sample_shape[0];
  int64_t width = config.d_width;
  for (int64_t i = 0; i < doublings; ++i) {
    const bool normed = i > 0 && config.d_norm != NormKind::kNone;
    blocks_->push_back(Conv(channels, width, kKernel, /*stride=*/2,
                            /*padding=*/1, /*bias=*/!normed, spectral_norm));
    if (normed) norms_->push_back(make_norm(config.d_norm, width, config.init_std));
    channels = width;
    width *= 2;
  }
  // The final base x base convolution is a dense layer on the flattened
  // map, which is also what the class projection needs.
  const int64_t features = channels * base * base;
  out_ = register_module("out", Dense(features, 1, spectral_norm));
  if (num_classes > 0) {
    embed_ = register_module("embed",
                             torch::nn::Embedding(num_classes, features));
  }

  torch::NoGradGuard no_grad;
  for (const auto& block : *blocks_) {
    auto* conv = block->as<Conv>();
    conv->weight.normal_(0.0, config.init_std);
    if (conv->bias.defined()) conv->bias.zero_();
  }
  out_->weight.normal_(0.0, config.init_std);
  out_->bias.zero_();
  if (embed_) embed_->weight.normal_(0.0, config.init_std);
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& x,
                                              const torch::Tensor& labels) {
  auto h = x;
  for (size_t i = 0; i < blocks_->size(); ++i) {
    h = blocks_[i]->as<Conv>()->forward(h);
    if (i > 0 && !norms_->is_empty()) h = apply_norm(norms_[i - 1], h);
    h = torch::leaky_relu_(h, kLeakySlope);  // in place, as in G
  }
  h = h.flatten(1);
  auto logit = out_(h).squeeze(1);
  if (num_classes_ > 0) {
    if (!labels.defined()) {
      throw Error("a class-conditional net needs a class for every example");
    }
    // Projection: + <embed(y), phi(x)>.
    logit = logit + (embed_(labels) * h).sum(1);
  }
  return logit;
}

}  // namespace gan::models
