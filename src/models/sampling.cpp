// Batched sampling and latent interpolation.
#include "gan/models/sampling.h"

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/models/mlp.h"
#include "gan/models/mlp_passes.h"

namespace gan::models {

torch::Tensor generate_from(Generator& generator, const torch::Tensor& z,
                            c10::Device device, int64_t batch,
                            const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  const bool was_training = generator.is_training();
  generator.eval();
  // Chunks are written into one output tensor rather than concatenated.
  torch::Tensor out;
  // The unconditional MLP G on the CPU goes through its hand-written pass,
  // which writes each chunk in place without temporaries.
  auto* mlp = dynamic_cast<MlpGeneratorImpl*>(&generator);
  std::unique_ptr<MlpGeneratorPass> pass;
  if (mlp && !labels.defined() && device.is_cpu() &&
      z.scalar_type() == torch::kFloat32 &&
      mlp->parameters()[0].scalar_type() == torch::kFloat32) {
    pass = std::make_unique<MlpGeneratorPass>(*mlp);
  }
  for (int64_t begin = 0; begin < z.size(0); begin += batch) {
    const int64_t end = std::min(begin + batch, z.size(0));
    const auto zi = z.slice(0, begin, end).to(device);
    if (pass) {
      if (!out.defined()) {
        int64_t width = 1;
        for (int64_t s : generator.sample_shape()) width *= s;
        out = torch::empty({z.size(0), width}, torch::kFloat32);
      }
      pass->forward(zi, /*for_backward=*/false, out.slice(0, begin, end));
      continue;
    }
    const auto y = labels.defined() ? labels.slice(0, begin, end).to(device)
                                    : torch::Tensor();
    const auto x = generator.forward(zi, y);
    if (end - begin == z.size(0)) {
      // One chunk: its output is the result, without a copy.
      out = x.to(torch::kCPU);
      break;
    }
    if (!out.defined()) {
      auto shape = x.sizes().vec();
      shape[0] = z.size(0);
      out = torch::empty(shape, x.options().device(torch::kCPU));
    }
    out.slice(0, begin, end).copy_(x);
  }
  generator.train(was_training);
  if (pass) {
    auto shape = generator.sample_shape();
    shape.insert(shape.begin(), z.size(0));
    return out.view(shape);
  }
  return out;
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
  const auto t =
      torch::linspace(0.0, 1.0, steps, z0.options()).view({1, steps, 1});
  const auto a = z0.unsqueeze(1);
  const auto b = z1.unsqueeze(1);
  return (a + (b - a) * t).reshape({-1, z0.size(1)});
}

}  // namespace gan::models
