// Building blocks shared by the model families: fully connected and
// convolution layers that can be spectrally normalised (Miyato et al.,
// 2018). Spectral normalisation divides the weight by an estimate of its
// largest singular value, refined by one power iteration on every forward
// pass in training mode; the iteration's vectors u and v are buffers, so
// checkpoints keep them. Shapes: N batch, I inputs, O outputs.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace gan::models {

// The power-iteration state of one spectrally normalised weight.
class SpectralNormState {
 public:
  // Registers buffers "<name>_u" [rows] and "<name>_v" [cols] on `owner`
  // for a weight of `rows` x `cols` (a conv weight is flattened after its
  // first dimension), drawn from the default generator.
  SpectralNormState(torch::nn::Module& owner, const std::string& name,
                    int64_t rows, int64_t cols);

  // weight / sigma. In training mode first refines u and v by one power
  // iteration (without gradient), as PyTorch's spectral_norm does; sigma
  // = u^T W v then carries gradient through W only.
  torch::Tensor normalize(const torch::Tensor& weight, bool training);

  // The current estimate of the largest singular value of `weight`.
  double sigma(const torch::Tensor& weight) const;

 private:
  torch::Tensor u_;
  torch::Tensor v_;
};

// y = x W^T + b, W [O, I] optionally spectrally normalised.
class DenseImpl : public torch::nn::Module {
 public:
  DenseImpl(int64_t in_features, int64_t out_features, bool spectral_norm);

  // x: [N, I] -> [N, O].
  torch::Tensor forward(const torch::Tensor& x);
  // The weight the forward pass uses (W, or W / sigma).
  torch::Tensor effective_weight();

  torch::Tensor weight;  // [O, I]
  torch::Tensor bias;    // [O]
  std::unique_ptr<SpectralNormState> spectral;  // null when off
};
TORCH_MODULE(Dense);

// A 2-D convolution, weight [O, I, k, k], optionally spectrally normalised.
class ConvImpl : public torch::nn::Module {
 public:
  ConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
           int64_t stride, int64_t padding, bool bias, bool spectral_norm);

  // x: [N, I, H, W] -> [N, O, H', W'].
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor effective_weight();

  torch::Tensor weight;
  torch::Tensor bias;  // undefined without bias
  std::unique_ptr<SpectralNormState> spectral;
  int64_t stride;
  int64_t padding;
};
TORCH_MODULE(Conv);

}  // namespace gan::models
