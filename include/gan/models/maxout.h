// A maxout layer (Goodfellow et al., 2013), the unit of the GAN paper's
// discriminator: an affine map to units x pieces values, then the maximum
// over each unit's pieces. Shapes: N batch, I inputs, U units.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "gan/models/layers.h"

namespace gan::models {

class MaxoutImpl : public torch::nn::Module {
 public:
  MaxoutImpl(int64_t in_features, int64_t units, int64_t pieces,
             bool spectral_norm = false);

  // x: float [N, I]. Returns float [N, U]: unit u is the maximum of affine
  // outputs u * pieces .. u * pieces + pieces - 1, as in pylearn2.
  torch::Tensor forward(const torch::Tensor& x);

  int64_t units() const { return units_; }
  int64_t pieces() const { return pieces_; }
  // Weight [U * pieces, I] and bias [U * pieces].
  Dense& linear() { return linear_; }

 private:
  int64_t units_;
  int64_t pieces_;
  Dense linear_{nullptr};
};
TORCH_MODULE(Maxout);

}  // namespace gan::models
