// The two players' interfaces. Every model family implements them, so the
// trainer, the samplers and the metrics never depend on a particular net.
// Shapes: N batch, Z latent size, and one example's shape S ([C, H, W] for
// images, [D] for points).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace gan::models {

// G: maps latent vectors to samples in data space.
class Generator : public torch::nn::Module {
 public:
  // z: float [N, Z]; labels: int64 [N] for class-conditional nets, else an
  // undefined tensor. Returns float [N, ...S] in the data's range, on the
  // module's device.
  virtual torch::Tensor forward(const torch::Tensor& z,
                                const torch::Tensor& labels) = 0;

  // Z, the size of one latent vector.
  virtual int64_t latent_dim() const = 0;

  // S, the shape of one sample.
  virtual std::vector<int64_t> sample_shape() const = 0;

  // K, the number of classes G is conditioned on; 0 when unconditional.
  virtual int64_t num_classes() const = 0;

  // Sets the output layer's bias so that G's output at zero hidden
  // activity equals `mean` (float [...S], in the data's range): the paper
  // initialises its sigmoid output this way from the training data's
  // per-pixel means. The default does nothing, for nets without such a
  // layer.
  virtual void init_output_from_mean(const torch::Tensor& mean);
};

// D: scores samples; the logit of the probability that x is real.
class Discriminator : public torch::nn::Module {
 public:
  // x: float [N, ...S]; labels as for Generator::forward. Returns logits
  // float [N] (D(x) = sigmoid(logit)).
  virtual torch::Tensor forward(const torch::Tensor& x,
                                const torch::Tensor& labels) = 0;
};

// Total number of scalar parameters of `module`.
int64_t count_parameters(const torch::nn::Module& module);

}  // namespace gan::models
