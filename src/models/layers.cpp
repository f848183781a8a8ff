// Spectrally normalisable layers.
#include "gan/models/layers.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/init.h>

namespace gan::models {
namespace {

constexpr double kEps = 1e-12;  // keeps the power iteration finite

torch::Tensor unit(const torch::Tensor& x) {
  return x / (x.norm() + kEps);
}

}  // namespace

SpectralNormState::SpectralNormState(torch::nn::Module& owner,
                                     const std::string& name, int64_t rows,
                                     int64_t cols) {
  u_ = owner.register_buffer(name + "_u", unit(torch::randn({rows})));
  v_ = owner.register_buffer(name + "_v", unit(torch::randn({cols})));
}

torch::Tensor SpectralNormState::normalize(const torch::Tensor& weight,
                                           bool training) {
  const auto w = weight.reshape({weight.size(0), -1});
  if (!training) return weight / torch::dot(u_, torch::mv(w, v_));
  {
    torch::NoGradGuard no_grad;
    v_.copy_(unit(torch::mv(w.t(), u_)));
    u_.copy_(unit(torch::mv(w, v_)));
  }
  // The backward pass needs this forward's u and v, but the next forward
  // (D sees real and fake in turn) updates the buffers in place: copies.
  return weight / torch::dot(u_.clone(), torch::mv(w, v_.clone()));
}

double SpectralNormState::sigma(const torch::Tensor& weight) const {
  torch::NoGradGuard no_grad;
  const auto w = weight.reshape({weight.size(0), -1});
  return torch::dot(u_, torch::mv(w, v_)).item<double>();
}

DenseImpl::DenseImpl(int64_t in_features, int64_t out_features,
                     bool spectral_norm) {
  weight = register_parameter("weight",
                              torch::empty({out_features, in_features}));
  bias = register_parameter("bias", torch::zeros({out_features}));
  // libtorch's Linear default, so that a plain Dense starts like one.
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (spectral_norm) {
    spectral = std::make_unique<SpectralNormState>(*this, "weight",
                                                   out_features, in_features);
  }
}

torch::Tensor DenseImpl::effective_weight() {
  return spectral ? spectral->normalize(weight, is_training()) : weight;
}

torch::Tensor DenseImpl::forward(const torch::Tensor& x) {
  return torch::linear(x, effective_weight(), bias);
}

ConvImpl::ConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                   int64_t stride_, int64_t padding_, bool with_bias,
                   bool spectral_norm)
    : stride(stride_), padding(padding_) {
  weight = register_parameter(
      "weight", torch::empty({out_channels, in_channels, kernel, kernel}));
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out_channels}));
  if (spectral_norm) {
    spectral = std::make_unique<SpectralNormState>(
        *this, "weight", out_channels, in_channels * kernel * kernel);
  }
}

torch::Tensor ConvImpl::effective_weight() {
  return spectral ? spectral->normalize(weight, is_training()) : weight;
}

torch::Tensor ConvImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, effective_weight(), bias, {stride, stride},
                       {padding, padding});
}

}  // namespace gan::models
