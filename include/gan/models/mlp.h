// The GAN paper's fully connected nets (goodfeli/adversarial, mnist.yaml):
// G is z -> ReLU layers -> sigmoid (or tanh, or linear) output; D is maxout
// layers with dropout on its input and on every hidden layer -> one logit.
// Widths, depths, pieces and keep probabilities come from MlpConfig, so the
// paper's MNIST, TFD and CIFAR-10 nets are configurations of these classes;
// so is the small pair for toy distributions (leaky-ReLU D, no dropout).
// Class-conditional nets append a one-hot class vector to G's latent and to
// D's (dropped-out) input. Shapes: N batch, Z latent, S one example, K
// classes.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>

#include "gan/models/layers.h"
#include "gan/models/maxout.h"
#include "gan/models/networks.h"

namespace gan::models {

// The map from G's last affine layer to data space.
enum class OutputActivation {
  kSigmoid,   // pixels in [0, 1]
  kTanh,      // pixels in [-1, 1]
  kIdentity,  // unbounded points (toy distributions)
};

// D's hidden units.
enum class MlpActivation {
  kMaxout,     // the paper's: max over d_pieces affine pieces
  kLeakyRelu,  // slope 0.2 below zero
};

struct MlpConfig {
  // G's hidden ReLU layer widths (the paper: two of 1200).
  std::vector<int64_t> g_hidden{1200, 1200};
  // G's weights are drawn from U(-r, r) with this r; biases start at 0.
  double g_init_range = 0.05;
  // Start G's output bias at the inverse activation of the training data's
  // mean example, so the first samples already look like the average image.
  bool g_output_bias_from_data = true;
  // D's hidden layer widths in units (the paper: two of 240).
  std::vector<int64_t> d_hidden{240, 240};
  MlpActivation d_activation = MlpActivation::kMaxout;
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
  // Builds G for samples of `sample_shape`, conditioned on `num_classes`
  // classes (0: unconditional); weights drawn now from the default
  // generator.
  MlpGeneratorImpl(int64_t latent_dim, std::vector<int64_t> sample_shape,
                   const MlpConfig& config, OutputActivation output,
                   int64_t num_classes = 0);

  // z: float [N, Z]; labels int64 [N] when conditional. Returns [N, ...S].
  torch::Tensor forward(const torch::Tensor& z,
                        const torch::Tensor& labels) override;
  int64_t latent_dim() const override { return latent_dim_; }
  std::vector<int64_t> sample_shape() const override { return shape_; }
  int64_t num_classes() const override { return num_classes_; }
  void init_output_from_mean(const torch::Tensor& mean) override;

  // The affine layers in order, hidden ones then the output layer (for
  // hand-written passes, models/mlp_passes.h).
  std::vector<Dense> layers() const;
  OutputActivation output() const { return output_; }

 private:
  int64_t latent_dim_;
  std::vector<int64_t> shape_;
  OutputActivation output_;
  int64_t num_classes_;
  torch::nn::ModuleList hidden_{nullptr};
  Dense out_{nullptr};
};
TORCH_MODULE(MlpGenerator);

class MlpDiscriminatorImpl : public Discriminator {
 public:
  MlpDiscriminatorImpl(std::vector<int64_t> sample_shape,
                       const MlpConfig& config, bool spectral_norm = false,
                       int64_t num_classes = 0);

  // x: float [N, ...S]; labels int64 [N] when conditional. Returns logits
  // [N]. Dropout is active in train() mode only, with inverted scaling
  // (kept inputs are divided by the keep probability).
  torch::Tensor forward(const torch::Tensor& x,
                        const torch::Tensor& labels) override;

  // For hand-written passes (models/mlp_passes.h): the affine layers in
  // order (each hidden layer's, then the output layer), the hidden units'
  // activation, maxout pieces (1 for leaky ReLU), and the keep probability
  // of the dropout before each affine layer.
  std::vector<Dense> layers() const;
  MlpActivation activation() const { return activation_; }
  int64_t pieces() const { return pieces_; }
  std::vector<double> keep_probabilities() const;
  int64_t num_classes() const { return num_classes_; }

 private:
  MlpActivation activation_;
  int64_t pieces_;
  int64_t num_classes_;
  torch::nn::ModuleList layers_{nullptr};    // Maxout or Dense
  torch::nn::ModuleList dropouts_{nullptr};  // one before each layer
  Dense out_{nullptr};
};
TORCH_MODULE(MlpDiscriminator);

}  // namespace gan::models
