// Maxout: affine map, then a max over contiguous groups of pieces.
#include "gan/models/maxout.h"

namespace gan::models {

MaxoutImpl::MaxoutImpl(int64_t in_features, int64_t units, int64_t pieces,
                       bool spectral_norm)
    : units_(units), pieces_(pieces) {
  linear_ = register_module(
      "linear", Dense(in_features, units * pieces, spectral_norm));
}

torch::Tensor MaxoutImpl::forward(const torch::Tensor& x) {
  auto z = linear_(x);
  if (pieces_ == 1) return z;
  return std::get<0>(z.view({x.size(0), units_, pieces_}).max(/*dim=*/2));
}

}  // namespace gan::models
