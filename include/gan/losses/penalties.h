// Gradient penalties on D. Unlike the adversarial losses they need D
// itself: they differentiate D's output with respect to its input and are
// then differentiated again when D is updated. Shapes: N examples, S one
// example's shape.
#pragma once

#include <torch/types.h>

#include "gan/models/networks.h"

namespace gan::losses {

// WGAN-GP's penalty (Gulrajani et al., 2017), without its lambda:
//   E[(||grad_x D(x_hat)||_2 - 1)^2],  x_hat = a x + (1 - a) G(z),
// with a ~ U(0, 1) drawn per example and the norm taken per example over
// all of its dimensions. real, fake: [N, ...S] (fake without history);
// labels for conditional D, else undefined. Returns a scalar with history
// through D's parameters.
torch::Tensor gradient_penalty(models::Discriminator& discriminator,
                               const torch::Tensor& real,
                               const torch::Tensor& fake,
                               const torch::Tensor& labels);

// R1 (Mescheder et al., 2018), without its gamma:
//   1/2 E[||grad_x D(x)||^2] on real examples.
torch::Tensor r1_penalty(models::Discriminator& discriminator,
                         const torch::Tensor& real,
                         const torch::Tensor& labels);

}  // namespace gan::losses
