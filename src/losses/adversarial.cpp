// Losses from logits: -log sigmoid(l) = softplus(-l) and
// -log(1 - sigmoid(l)) = softplus(l), both stable for any l.
#include "gan/losses/adversarial.h"

namespace gan::losses {

torch::Tensor discriminator_loss(LossKind /*kind*/,
                                 const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits) {
  // Both G forms share D's cross-entropy; they differ only in G's loss.
  return torch::softplus(-real_logits).mean() +
         torch::softplus(fake_logits).mean();
}

torch::Tensor generator_loss(LossKind kind, const torch::Tensor& fake_logits) {
  switch (kind) {
    case LossKind::kNonSaturating:
      return torch::softplus(-fake_logits).mean();
    case LossKind::kMinimax:
      return -torch::softplus(fake_logits).mean();
  }
  return torch::softplus(-fake_logits).mean();
}

}  // namespace gan::losses
