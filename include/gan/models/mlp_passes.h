// Hand-written training passes of the MLP nets (mlp.h) on the CPU: the
// paper's G (ReLU layers, sigmoid/tanh/linear output) and maxout D with
// dropout. Forward passes keep what their backward needs; backward passes
// write weight gradients straight into the parameters' .grad() tensors, so
// any gan::train::Optimizer can then step.
//
// Against autograd through forward(), they skip graph bookkeeping, reuse
// their buffers from step to step, do each element-wise stage (maxout with
// dropout, the ReLU mask, the output activation's derivative) in one pass,
// and draw dropout masks from a counter-based hash of (seed, element), so a
// mask costs a few integer operations per element and does not depend on
// the thread count. Gradients through D's maxout layers reach only the
// winning piece of each kept unit, and are summed over those alone rather
// than through dense products. The math is the modules' own; tests compare
// values and gradients with autograd on the same masks.
//
// With `bf16_products`, every dense matrix product takes bfloat16 operands
// (oneDNN's kernels, which accumulate in float32) and its result is
// widened back to float32: weights, their gradients and every element-wise
// stage stay float32 ("master weights"). That is about 8 bits of mantissa
// in each product's inputs and output; tests bound the effect.
//
// Shapes: N batch, Z latent size, I = prod(S) one flattened sample.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "gan/models/layers.h"

namespace gan::models {

class Discriminator;
class Generator;
class MlpDiscriminatorImpl;
class MlpGeneratorImpl;

// True when these passes can train the pair: an unconditional MLP G and a
// maxout MLP D without spectral normalisation, float32 on the CPU.
bool mlp_passes_apply(const Generator& generator,
                      const Discriminator& discriminator);

class MlpGeneratorPass {
 public:
  // Keeps a reference to `generator`, which must outlive the pass.
  explicit MlpGeneratorPass(MlpGeneratorImpl& generator,
                            bool bf16_products = false);

  // G(z) for z float [N, Z], flattened to [N, I], written into `out` when
  // it is given (a contiguous [N, I] tensor), else into a buffer of the
  // pass. With `for_backward`, keeps the activations backward() needs.
  torch::Tensor forward(const torch::Tensor& z, bool for_backward,
                        torch::Tensor out = {});

  // From dL/dG(z) float [N, I] of the last forward(for_backward = true),
  // sets the .grad() of every weight and bias of G.
  void backward(const torch::Tensor& grad_output);

 private:
  MlpGeneratorImpl& generator_;
  std::vector<Dense> layers_;
  bool bf16_;
  std::vector<torch::Tensor> weights_bf16_;  // of the last forward()
  // Layer k's weight [O, I] as a product's operand.
  torch::Tensor weight(size_t k) const;
  torch::Tensor z_;
  std::vector<torch::Tensor> hidden_;  // post-ReLU activations
  torch::Tensor output_;               // G(z), [N, I]
  torch::Tensor grad_a_, grad_h_;      // scratch for backward
};

class MlpDiscriminatorPass {
 public:
  explicit MlpDiscriminatorPass(MlpDiscriminatorImpl& discriminator,
                                bool bf16_products = false);

  // Logits float [N] of x float [N, I] (contiguous) in training mode, with
  // dropout masks drawn from `seed`. Keeps what backward() needs.
  torch::Tensor forward(const torch::Tensor& x, uint64_t seed);

  // From dL/dlogits float [N] of the last forward(): with `weights`, sets
  // the .grad() of D's weights and biases; with `input`, returns dL/dx
  // float [N, I] (else an undefined tensor).
  torch::Tensor backward(const torch::Tensor& grad_logits, bool weights,
                         bool input);

  // The dropout mask of the last forward() before affine layer `layer`
  // (0: D's input), float [N, width]: 0 where dropped, 1 / keep where kept.
  // For tests; the pass itself stores the mask more compactly.
  torch::Tensor dropout_mask(size_t layer) const;

 private:
  MlpDiscriminatorImpl& discriminator_;
  std::vector<Dense> layers_;
  bool bf16_;
  std::vector<torch::Tensor> weights_bf16_;  // of the last forward()
  torch::Tensor weight(size_t k) const;      // as in MlpGeneratorPass
  std::vector<double> keep_;
  int64_t pieces_;
  uint64_t seed_ = 0;
  // Input after dropout, and its kept-flags (uint8 [N, I]).
  torch::Tensor input_, input_kept_;
  // Per hidden layer: pre-activations [N, U * pieces], outputs after
  // maxout and dropout [N, U], and the winning piece of each unit (uint8
  // [N, U]; kDropped where dropout removed the unit).
  std::vector<torch::Tensor> pre_, hidden_, winner_;
  // Scratch for backward: dL/d(a layer's output, its input), dL/dx.
  torch::Tensor grad_h_, grad_below_, grad_x_;
};

}  // namespace gan::models
