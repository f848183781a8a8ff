// The paper's MLP generator and maxout discriminator.
#include "gan/models/mlp.h"

#include <numeric>

#include "gan/models/conditioning.h"

namespace gan::models {
namespace {

// pylearn2's `irange` initialisation: weights U(-r, r), biases 0.
void init_uniform(DenseImpl& layer, double range) {
  torch::NoGradGuard no_grad;
  layer.weight.uniform_(-range, range);
  layer.bias.zero_();
}

int64_t product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         std::multiplies<>());
}

// pylearn2 clips the marginals to [1e-7, 1 - 1e-7] before the logit.
constexpr double kMeanClip = 1e-7;
constexpr double kLeakySlope = 0.2;

}  // namespace

MlpGeneratorImpl::MlpGeneratorImpl(int64_t latent_dim,
                                   std::vector<int64_t> sample_shape,
                                   const MlpConfig& config,
                                   OutputActivation output,
                                   int64_t num_classes)
    : latent_dim_(latent_dim),
      shape_(std::move(sample_shape)),
      output_(output),
      num_classes_(num_classes) {
  hidden_ = register_module("hidden", torch::nn::ModuleList());
  int64_t width = latent_dim + num_classes;
  for (int64_t units : config.g_hidden) {
    Dense layer(width, units, /*spectral_norm=*/false);
    init_uniform(*layer, config.g_init_range);
    hidden_->push_back(layer);
    width = units;
  }
  out_ = register_module("out", Dense(width, product(shape_), false));
  init_uniform(*out_, config.g_init_range);
}

torch::Tensor MlpGeneratorImpl::forward(const torch::Tensor& z,
                                        const torch::Tensor& labels) {
  auto h = append_one_hot(z, labels, num_classes_);
  for (const auto& layer : *hidden_) {
    h = torch::relu(layer->as<Dense>()->forward(h));
  }
  h = out_(h);
  switch (output_) {
    case OutputActivation::kSigmoid: h = torch::sigmoid(h); break;
    case OutputActivation::kTanh: h = torch::tanh(h); break;
    case OutputActivation::kIdentity: break;
  }
  std::vector<int64_t> shape{z.size(0)};
  shape.insert(shape.end(), shape_.begin(), shape_.end());
  return h.view(shape);
}

void MlpGeneratorImpl::init_output_from_mean(const torch::Tensor& mean) {
  torch::NoGradGuard no_grad;
  auto m = mean.reshape({-1}).to(torch::kFloat64);
  switch (output_) {
    case OutputActivation::kSigmoid:
      m = torch::logit(m.clamp(kMeanClip, 1.0 - kMeanClip));
      break;
    case OutputActivation::kTanh:
      m = torch::atanh(m.clamp(-1.0 + kMeanClip, 1.0 - kMeanClip));
      break;
    case OutputActivation::kIdentity: break;
  }
  out_->bias.copy_(m.to(out_->bias.options()));
}

std::vector<Dense> MlpGeneratorImpl::layers() const {
  std::vector<Dense> all;
  for (const auto& layer : *hidden_) {
    all.emplace_back(std::dynamic_pointer_cast<DenseImpl>(layer));
  }
  all.push_back(out_);
  return all;
}

MlpDiscriminatorImpl::MlpDiscriminatorImpl(std::vector<int64_t> sample_shape,
                                           const MlpConfig& config,
                                           bool spectral_norm,
                                           int64_t num_classes)
    : activation_(config.d_activation),
      pieces_(config.d_activation == MlpActivation::kMaxout ? config.d_pieces
                                                            : 1),
      num_classes_(num_classes) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  dropouts_ = register_module("dropouts", torch::nn::ModuleList());
  int64_t width = product(sample_shape) + num_classes;
  double keep = config.d_input_keep;
  for (int64_t units : config.d_hidden) {
    dropouts_->push_back(torch::nn::Dropout(1.0 - keep));
    if (activation_ == MlpActivation::kMaxout) {
      Maxout layer(width, units, config.d_pieces, spectral_norm);
      init_uniform(*layer->linear(), config.d_init_range);
      layers_->push_back(layer);
    } else {
      Dense layer(width, units, spectral_norm);
      init_uniform(*layer, config.d_init_range);
      layers_->push_back(layer);
    }
    width = units;
    keep = config.d_hidden_keep;
  }
  dropouts_->push_back(torch::nn::Dropout(1.0 - keep));
  out_ = register_module("out", Dense(width, 1, spectral_norm));
  init_uniform(*out_, config.d_init_range);
}

torch::Tensor MlpDiscriminatorImpl::forward(const torch::Tensor& x,
                                            const torch::Tensor& labels) {
  auto h = x.reshape({x.size(0), -1});
  for (size_t i = 0; i < layers_->size(); ++i) {
    h = dropouts_[i]->as<torch::nn::Dropout>()->forward(h);
    // The class is appended after dropout: it is never dropped.
    if (i == 0) h = append_one_hot(h, labels, num_classes_);
    if (activation_ == MlpActivation::kMaxout) {
      h = layers_[i]->as<Maxout>()->forward(h);
    } else {
      h = torch::leaky_relu(layers_[i]->as<Dense>()->forward(h), kLeakySlope);
    }
  }
  h = dropouts_[layers_->size()]->as<torch::nn::Dropout>()->forward(h);
  if (layers_->size() == 0) h = append_one_hot(h, labels, num_classes_);
  return out_(h).squeeze(1);
}

std::vector<Dense> MlpDiscriminatorImpl::layers() const {
  std::vector<Dense> all;
  for (const auto& layer : *layers_) {
    if (auto* maxout = layer->as<Maxout>()) {
      all.push_back(maxout->linear());
    } else {
      all.emplace_back(std::dynamic_pointer_cast<DenseImpl>(layer));
    }
  }
  all.push_back(out_);
  return all;
}

std::vector<double> MlpDiscriminatorImpl::keep_probabilities() const {
  std::vector<double> keep;
  for (const auto& dropout : *dropouts_) {
    keep.push_back(1.0 - dropout->as<torch::nn::Dropout>()->options.p());
  }
  return keep;
}

}  // namespace gan::models
