// Gradient penalties through double back-propagation.
#include "gan/losses/penalties.h"

#include <torch/autograd.h>

namespace gan::losses {
namespace {

// Per-example squared norm of dD/dx at x, with a graph for the D update.
torch::Tensor input_gradient_sq_norm(models::Discriminator& discriminator,
                                     torch::Tensor x,
                                     const torch::Tensor& labels) {
  x = x.detach().requires_grad_(true);
  const auto out = discriminator.forward(x, labels);
  const auto grad = torch::autograd::grad({out.sum()}, {x},
                                          /*grad_outputs=*/{},
                                          /*retain_graph=*/true,
                                          /*create_graph=*/true)[0];
  return grad.flatten(1).square().sum(1);
}

}  // namespace

torch::Tensor gradient_penalty(models::Discriminator& discriminator,
                               const torch::Tensor& real,
                               const torch::Tensor& fake,
                               const torch::Tensor& labels) {
  std::vector<int64_t> alpha_shape(real.dim(), 1);
  alpha_shape[0] = real.size(0);
  const auto alpha = torch::rand(alpha_shape, real.options());
  const auto mixed = alpha * real.detach() + (1 - alpha) * fake.detach();
  const auto norm = (input_gradient_sq_norm(discriminator, mixed, labels) +
                     1e-12)
                        .sqrt();
  return (norm - 1).square().mean();
}

torch::Tensor r1_penalty(models::Discriminator& discriminator,
                         const torch::Tensor& real,
                         const torch::Tensor& labels) {
  return 0.5 * input_gradient_sq_norm(discriminator, real, labels).mean();
}

}  // namespace gan::losses
