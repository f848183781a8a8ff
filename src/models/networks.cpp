// Defaults shared by every generator and discriminator.
#include "gan/models/networks.h"

namespace gan::models {

void Generator::init_output_from_mean(const torch::Tensor& /*mean*/) {}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters()) total += p.numel();
  return total;
}

}  // namespace gan::models
