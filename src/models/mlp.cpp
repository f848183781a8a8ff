// The paper's MLP generator and maxout discriminator.
#include "gan/models/mlp.h"

#include <numeric>

namespace gan::models {
namespace {

// pylearn2's `irange` initialisation: weights U(-r, r), biases 0.
void init_uniform(torch::nn::Linear& layer, double range) {
  torch::NoGradGuard no_grad;
  layer->weight.uniform_(-range, range);
  layer->bias.zero_();
}

int64_t product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         std::multiplies<>());
}

// pylearn2 clips the marginals to [1e-7, 1 - 1e-7] before the logit.
constexpr double kMeanClip = 1e-7;

}  // namespace

MlpGeneratorImpl::MlpGeneratorImpl(int64_t latent_dim,
                                   std::vector<int64_t> sample_shape,
                                   const MlpConfig& config,
                                   OutputActivation output)
    : latent_dim_(latent_dim), shape_(std::move(sample_shape)),
      output_(output) {
  hidden_ = register_module("hidden", torch::nn::ModuleList());
  int64_t width = latent_dim;
  for (int64_t units : config.g_hidden) {
    torch::nn::Linear layer(width, units);
    init_uniform(layer, config.g_init_range);
    hidden_->push_back(layer);
    width = units;
  }
  out_ = register_module("out", torch::nn::Linear(width, product(shape_)));
  init_uniform(out_, config.g_init_range);
}

torch::Tensor MlpGeneratorImpl::forward(const torch::Tensor& z,
                                        const torch::Tensor& /*labels*/) {
  auto h = z;
  for (const auto& layer : *hidden_) {
    h = torch::relu(layer->as<torch::nn::Linear>()->forward(h));
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

MaxoutDiscriminatorImpl::MaxoutDiscriminatorImpl(
    std::vector<int64_t> sample_shape, const MlpConfig& config) {
  maxouts_ = register_module("maxouts", torch::nn::ModuleList());
  dropouts_ = register_module("dropouts", torch::nn::ModuleList());
  int64_t width = product(sample_shape);
  double keep = config.d_input_keep;
  for (int64_t units : config.d_hidden) {
    dropouts_->push_back(torch::nn::Dropout(1.0 - keep));
    Maxout layer(width, units, config.d_pieces);
    init_uniform(layer->linear(), config.d_init_range);
    maxouts_->push_back(layer);
    width = units;
    keep = config.d_hidden_keep;
  }
  dropouts_->push_back(torch::nn::Dropout(1.0 - keep));
  out_ = register_module("out", torch::nn::Linear(width, 1));
  init_uniform(out_, config.d_init_range);
}

torch::Tensor MaxoutDiscriminatorImpl::forward(
    const torch::Tensor& x, const torch::Tensor& /*labels*/) {
  auto h = x.reshape({x.size(0), -1});
  for (size_t i = 0; i < maxouts_->size(); ++i) {
    h = dropouts_[i]->as<torch::nn::Dropout>()->forward(h);
    h = maxouts_[i]->as<Maxout>()->forward(h);
  }
  h = dropouts_[maxouts_->size()]->as<torch::nn::Dropout>()->forward(h);
  return out_(h).squeeze(1);
}

}  // namespace gan::models
