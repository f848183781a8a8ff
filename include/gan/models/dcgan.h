// DCGAN (Radford et al., 2015) for square images of side S = 4 * 2^n or
// 7 * 2^n (n >= 1: 8, 16, 32, 64, ... and 14, 28, 56, ...) with any channel
// count C. G projects z with a transposed convolution to a base x base map
// (base = 4, or 7 for the 28-pixel family) and doubles the side n times
// with 4x4 stride-2 transposed convolutions + norm + ReLU, ending in tanh
// (or sigmoid); channels halve on the way from g_width * 2^(n-1) to
// g_width. D mirrors it with 4x4 stride-2 convolutions + LeakyReLU(0.2),
// norm on all but the first, no pooling, and a final base x base
// convolution to one logit. Weights start N(0, 0.02), norm scales
// N(1, 0.02). Class-conditional nets append a one-hot class to z and use a
// projection discriminator (Miyato & Koyama, 2018).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>

#include "gan/models/layers.h"
#include "gan/models/mlp.h"
#include "gan/models/networks.h"

namespace gan::models {

enum class NormKind {
  kBatch,  // batch normalisation (DCGAN)
  kLayer,  // layer normalisation over C, H, W (a WGAN-GP critic's choice)
  kNone,
};

struct DcganConfig {
  // Channels of G's last hidden layer; earlier layers have 2x, 4x, ...
  int64_t g_width = 64;
  // Channels of D's first layer; later layers have 2x, 4x, ...
  int64_t d_width = 64;
  NormKind g_norm = NormKind::kBatch;
  // WGAN-GP needs a critic without batch norm (none or layer).
  NormKind d_norm = NormKind::kBatch;
  // Standard deviation of the initial weights.
  double init_std = 0.02;
};

// The base side and number of doublings for side `size`; throws gan::Error
// naming the supported sizes when there is none.
std::pair<int64_t, int64_t> dcgan_geometry(int64_t size);

class DcganGeneratorImpl : public Generator {
 public:
  DcganGeneratorImpl(int64_t latent_dim, std::vector<int64_t> sample_shape,
                     const DcganConfig& config, OutputActivation output,
                     int64_t num_classes = 0);

  // z: [N, Z]; labels int64 [N] when conditional. Returns [N, C, S, S].
  torch::Tensor forward(const torch::Tensor& z,
                        const torch::Tensor& labels) override;
  int64_t latent_dim() const override { return latent_dim_; }
  std::vector<int64_t> sample_shape() const override { return shape_; }
  int64_t num_classes() const override { return num_classes_; }

 private:
  // Sampling on the CPU (evaluation mode, no gradient, float32, batch norm
  // with running statistics or none) goes through one large matrix
  // product per block instead of libtorch's per-image transposed
  // convolution (dcgan_sample_pass.cpp). h: z with any class appended.
  bool has_sample_pass(const torch::Tensor& h);
  // Returns the pre-activation output [N, C, S, S].
  torch::Tensor sample_pass(const torch::Tensor& h);

  int64_t latent_dim_;
  std::vector<int64_t> shape_;
  OutputActivation output_;
  int64_t num_classes_;
  torch::nn::ModuleList blocks_{nullptr};  // ConvTranspose2d
  torch::nn::ModuleList norms_{nullptr};   // one per hidden block
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public Discriminator {
 public:
  DcganDiscriminatorImpl(std::vector<int64_t> sample_shape,
                         const DcganConfig& config, bool spectral_norm,
                         int64_t num_classes = 0);

  // x: [N, C, S, S]; labels int64 [N] when conditional. Returns logits [N].
  torch::Tensor forward(const torch::Tensor& x,
                        const torch::Tensor& labels) override;

 private:
  int64_t num_classes_;
  torch::nn::ModuleList blocks_{nullptr};  // Conv
  torch::nn::ModuleList norms_{nullptr};   // for blocks 1..n-1
  Dense out_{nullptr};                     // base x base features -> logit
  torch::nn::Embedding embed_{nullptr};    // projection, when conditional
};
TORCH_MODULE(DcganDiscriminator);

}  // namespace gan::models
