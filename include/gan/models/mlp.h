// The GAN paper's fully connected nets (goodfeli/adversarial, mnist.yaml):
// G is z -> ReLU layers -> sigmoid (or tanh, or linear) output; D is maxout
// layers with dropout on its input and on every hidden layer -> one logit.
// Widths, depths, pieces and keep probabilities come from MlpConfig, so the
// paper's MNIST, TFD and CIFAR-10 nets are configurations of these classes.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "gan/models/maxout.h"
#include "gan/models/networks.h"

namespace gan::models {

// The map from G's last affine layer to data space.
enum class OutputActivation {
  kSigmoid,   // pixels in [0, 1]
  kTanh,      // pixels in [-1, 1]
  kIdentity,  // unbounded points (toy distributions)
};

struct MlpConfig {
  // G's hidden ReLU layer widths (the paper: two of 1200).
  std::vector<int64_t> g_hidden{1200, 1200};
  // G's weights are drawn from U(-r, r) with this r; biases start at 0.
  double g_init_range = 0.05;
  // Start G's output bias at the inverse activation of the training data's
  // mean example, so the first samples already look like the average image.
  bool g_output_bias_from_data = true;
  // D's maxout layer widths in units (the paper: two of 240).
  std::vector<int64_t> d_hidden{240, 240};
  // Affine pieces per maxout unit (the paper: 5).
  int64_t d_pieces = 5;
  // D's weights are drawn from U(-r, r) with this r; biases start at 0.
  double d_init_range = 0.005;
  // Probability of keeping each input of D's first layer (dropout 0.2).
  double d_input_keep = 0.8;
  // Probability of keeping each input of D's later layers (dropout 0.5).
  double d_hidden_keep = 0.5;
};

class MlpGeneratorImpl : public Generator {
 public:
  // Builds G for samples of `sample_shape`; weights drawn now from the
  // default generator.
  MlpGeneratorImpl(int64_t latent_dim, std::vector<int64_t> sample_shape,
                   const MlpConfig& config, OutputActivation output);

  // z: float [N, Z]; labels unused. Returns float [N, ...S].
  torch::Tensor forward(const torch::Tensor& z,
                        const torch::Tensor& labels) override;
  int64_t latent_dim() const override { return latent_dim_; }
  std::vector<int64_t> sample_shape() const override { return shape_; }
  void init_output_from_mean(const torch::Tensor& mean) override;

 private:
  int64_t latent_dim_;
  std::vector<int64_t> shape_;
  OutputActivation output_;
  torch::nn::ModuleList hidden_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(MlpGenerator);

class MaxoutDiscriminatorImpl : public Discriminator {
 public:
  MaxoutDiscriminatorImpl(std::vector<int64_t> sample_shape,
                          const MlpConfig& config);

  // x: float [N, ...S]; labels unused. Returns logits float [N]. Dropout is
  // active in train() mode only, with inverted scaling (kept inputs are
  // divided by the keep probability).
  torch::Tensor forward(const torch::Tensor& x,
                        const torch::Tensor& labels) override;

 private:
  torch::nn::ModuleList maxouts_{nullptr};
  torch::nn::ModuleList dropouts_{nullptr};  // one before each layer
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(MaxoutDiscriminator);

}  // namespace gan::models
