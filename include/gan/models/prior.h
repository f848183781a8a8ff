// The prior p_z that the generator's latent vectors are drawn from.
#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>
#include <c10/core/Device.h>
#include <torch/types.h>

namespace gan::models {

enum class PriorKind {
  // U(-sqrt(3), sqrt(3)) in each dimension: zero mean, unit variance, what
  // the GAN paper's code samples.
  kUniform,
  // Standard normal N(0, I).
  kNormal,
};

// Draws z ~ p_z: float32 [n, dim] on `device`. Uses `generator` when given,
// else libtorch's default generator for the device (so that a seeded run,
// and a resumed one, draw the same numbers).
torch::Tensor sample_prior(PriorKind kind, int64_t n, int64_t dim,
                           c10::Device device,
                           c10::optional<at::Generator> generator = {});

}  // namespace gan::models
