// The adversarial losses: what D minimises to tell real from fake, and what
// G minimises to fool it. All take D's logits, never probabilities, so that
// log D and log(1 - D) stay finite when D saturates.
// Shapes: N real examples, M generated ones; every loss is a mean over the
// batch, returned as a float scalar tensor that carries autograd history.
#pragma once

#include <torch/types.h>

namespace gan::losses {

enum class LossKind {
  // G minimises -log D(G(z)) (the paper's advice: strong gradients early).
  kNonSaturating,
  // G minimises log(1 - D(G(z))), the minimax game V(D, G) as written.
  kMinimax,
};

struct LossConfig {
  LossKind kind = LossKind::kNonSaturating;
};

// D's loss: binary cross-entropy with real labelled 1 and fake 0,
//   mean_i -log D(x_i) + mean_j -log(1 - D(G(z_j))) = -V(D, G).
// real_logits: [N], fake_logits: [M].
torch::Tensor discriminator_loss(LossKind kind,
                                 const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits);

// G's loss on D's logits for generated samples, fake_logits: [M].
torch::Tensor generator_loss(LossKind kind, const torch::Tensor& fake_logits);

}  // namespace gan::losses
