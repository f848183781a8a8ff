// Using a trained generator: drawing samples and walking its latent space.
// Shapes: N samples, Z latent size, S one sample's shape.
#pragma once

#include <cstdint>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "gan/models/networks.h"
#include "gan/models/prior.h"

namespace gan::models {

// Draws `n` samples G(z), z ~ p_z, in eval mode and without gradients, in
// chunks of `batch`. `labels` (int64 [n]) for class-conditional nets, else
// undefined. Returns float [N, ...S] on the CPU. Restores G's train/eval
// mode afterwards.
torch::Tensor generate(Generator& generator, PriorKind prior, int64_t n,
                       c10::Device device, int64_t batch = 500,
                       const torch::Tensor& labels = {});

// G(z) for given latents z (float [N, Z]), same conventions as generate().
torch::Tensor generate_from(Generator& generator, const torch::Tensor& z,
                            c10::Device device, int64_t batch = 500,
                            const torch::Tensor& labels = {});

// The paper's Figure 3: for each row r, `steps` latents evenly spaced on
// the straight line from z0[r] to z1[r], both ends included. z0, z1:
// float [R, Z]; returns float [R * steps, Z], row by row. steps >= 2.
torch::Tensor interpolate_latents(const torch::Tensor& z0,
                                  const torch::Tensor& z1, int64_t steps);

}  // namespace gan::models
