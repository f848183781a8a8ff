// The adversarial losses: what D minimises to tell real from fake, and what
// G minimises to fool it. All take D's raw outputs (logits for the
// cross-entropy losses, never probabilities, so that log D and log(1 - D)
// stay finite when D saturates). Shapes: N real examples, M generated ones;
// every loss is a mean over the batch, returned as a scalar tensor that
// carries autograd history.
#pragma once

#include <torch/types.h>

namespace gan::losses {

enum class LossKind {
  // D: binary cross-entropy; G minimises -log D(G(z)) (the paper's advice:
  // strong gradients early).
  kNonSaturating,
  // D: binary cross-entropy; G minimises log(1 - D(G(z))), the minimax
  // game V(D, G) as written.
  kMinimax,
  // LSGAN (Mao et al., 2017): D: 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2];
  // G: 1/2 E[(D(G(z)) - 1)^2].
  kLeastSquares,
  // WGAN (Arjovsky et al., 2017): D, a critic: E[D(G(z))] - E[D(x)];
  // G: -E[D(G(z))]. Pair with a gradient penalty (WGAN-GP).
  kWasserstein,
  // Hinge (Lim & Ye, 2017; SNGAN): D: E[max(0, 1 - D(x))] +
  // E[max(0, 1 + D(G(z)))]; G: -E[D(G(z))].
  kHinge,
};

struct LossConfig {
  LossKind kind = LossKind::kNonSaturating;
  // lambda of the WGAN-GP gradient penalty (10 in its paper); 0: off.
  double gradient_penalty = 0.0;
  // gamma of the R1 penalty on real data (Mescheder et al., 2018); 0: off.
  double r1_penalty = 0.0;
};

// D's loss. For the cross-entropy kinds this is
//   -mean_i log D(x_i) - mean_j log(1 - D(G(z_j))) = -V(D, G).
// real: [N], fake: [M].
torch::Tensor discriminator_loss(LossKind kind,
                                 const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits);

// G's loss on D's outputs for generated samples, fake: [M].
torch::Tensor generator_loss(LossKind kind, const torch::Tensor& fake_logits);

// What the logs call D(x): the mean probability sigmoid(logit) for the
// cross-entropy kinds, the mean raw output for the others. A detached
// scalar.
torch::Tensor mean_output(LossKind kind, const torch::Tensor& logits);

// True for the kinds whose D outputs are logits of a probability.
bool is_probabilistic(LossKind kind);

}  // namespace gan::losses
