// Batched sampling and latent interpolation.
#include "gan/models/sampling.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::models {

torch::Tensor generate_from(Generator& generator, const torch::Tensor& z,
                            c10::Device device, int64_t batch,
                            const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  const bool was_training = generator.is_training();
  generator.eval();
  std::vector<torch::Tensor> chunks;
  for (int64_t begin = 0; begin < z.size(0); begin += batch) {
    const int64_t end = std::min(begin + batch, z.size(0));
    const auto y = labels.defined()
                       ? labels.slice(0, begin, end).to(device)
                       : torch::Tensor();
    chunks.push_back(
        generator.forward(z.slice(0, begin, end).to(device), y).cpu());
  }
  generator.train(was_training);
  return torch::cat(chunks);
}

torch::Tensor generate(Generator& generator, PriorKind prior, int64_t n,
                       c10::Device device, int64_t batch,
                       const torch::Tensor& labels) {
  if (n < 1) throw Error(fmt::format("sample count {}: expected >= 1", n));
  const auto z = sample_prior(prior, n, generator.latent_dim(), device);
  return generate_from(generator, z, device, batch, labels);
}

torch::Tensor interpolate_latents(const torch::Tensor& z0,
                                  const torch::Tensor& z1, int64_t steps) {
  if (steps < 2) {
    throw Error(fmt::format("interpolation steps {}: expected >= 2", steps));
  }
  // t: [1, steps, 1] from 0 to 1; rows: [R, 1, Z].
  const auto t = torch::linspace(0.0, 1.0, steps, z0.options())
                     .view({1, steps, 1});
  const auto a = z0.unsqueeze(1);
  const auto b = z1.unsqueeze(1);
  return (a + (b - a) * t).reshape({-1, z0.size(1)});
}

}  // namespace gan::models
