// Sampling the latent prior.
#include "gan/models/prior.h"

#include <cmath>

namespace gan::models {

torch::Tensor sample_prior(PriorKind kind, int64_t n, int64_t dim,
                           c10::Device device,
                           c10::optional<at::Generator> generator) {
  const auto options = torch::TensorOptions(torch::kFloat32).device(device);
  if (kind == PriorKind::kNormal) {
    return torch::randn({n, dim}, generator, options);
  }
  const double half_width = std::sqrt(3.0);
  return torch::rand({n, dim}, generator, options)
      .mul_(2.0 * half_width)
      .sub_(half_width);
}

}  // namespace gan::models
