// Losses from D's raw outputs. For the cross-entropy kinds,
// -log sigmoid(l) = softplus(-l) and -log(1 - sigmoid(l)) = softplus(l),
// both stable for any l.
#include "gan/losses/adversarial.h"

namespace gan::losses {

bool is_probabilistic(LossKind kind) {
  return kind == LossKind::kNonSaturating || kind == LossKind::kMinimax;
}

torch::Tensor discriminator_loss(LossKind kind,
                                 const torch::Tensor& real_logits,
                                 const torch::Tensor& fake_logits) {
  switch (kind) {
    case LossKind::kNonSaturating:
    case LossKind::kMinimax:
      // Both G forms share D's cross-entropy.
      return torch::softplus(-real_logits).mean() +
             torch::softplus(fake_logits).mean();
    case LossKind::kLeastSquares:
      return 0.5 * (real_logits - 1).square().mean() +
             0.5 * fake_logits.square().mean();
    case LossKind::kWasserstein:
      return fake_logits.mean() - real_logits.mean();
    case LossKind::kHinge:
      return torch::relu(1 - real_logits).mean() +
             torch::relu(1 + fake_logits).mean();
  }
  return {};
}

torch::Tensor generator_loss(LossKind kind, const torch::Tensor& fake_logits) {
  switch (kind) {
    case LossKind::kNonSaturating:
      return torch::softplus(-fake_logits).mean();
    case LossKind::kMinimax:
      return -torch::softplus(fake_logits).mean();
    case LossKind::kLeastSquares:
      return 0.5 * (fake_logits - 1).square().mean();
    case LossKind::kWasserstein:
    case LossKind::kHinge:
      return -fake_logits.mean();
  }
  return {};
}

torch::Tensor mean_output(LossKind kind, const torch::Tensor& logits) {
  const auto detached = logits.detach();
  if (is_probabilistic(kind)) return torch::sigmoid(detached).mean();
  return detached.mean();
}

}  // namespace gan::losses
