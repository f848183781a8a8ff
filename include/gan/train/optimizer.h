// The optimisers that update G and D. SGD follows the GAN paper's code
// (pylearn2): classic momentum, v <- mu * v - lr * g, then p <- p + v, with
// lr and mu set from outside every step by the schedules in schedule.h.
// Adam follows Kingma & Ba (2015) as torch.optim.Adam computes it (bias
// corrections, eps added to the corrected root), without weight decay.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "gan/io/safetensors.h"

namespace gan::train {

enum class OptimizerKind { kSgd, kAdam };

struct OptimConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  // Learning rate at step 0 (the paper: 0.1).
  double lr = 0.1;
  // D's learning rate at step 0 when it differs from G's (two time-scale
  // updates); 0: the same as lr.
  double d_lr = 0.0;
  // The learning rate is divided by this after every step (the paper:
  // 1.000004); 1 keeps it constant.
  double lr_decay = 1.000004;
  // The decayed learning rate never goes below this (the paper: 1e-6).
  double lr_min = 1e-6;
  // SGD momentum until momentum_start_epoch epochs are done (the paper: 0.5).
  double momentum = 0.5;
  // SGD momentum once momentum_saturate_epoch epochs are done (the paper:
  // 0.7); it rises linearly in between.
  double momentum_final = 0.7;
  int64_t momentum_start_epoch = 1;
  int64_t momentum_saturate_epoch = 250;
  // Adam's decay rates for the first and second moment estimates.
  double beta1 = 0.5;
  double beta2 = 0.999;
  // Adam's denominator guard.
  double eps = 1e-8;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Drops the gradients of all parameters (sets them undefined).
  virtual void zero_grad() = 0;
  // Applies one update from the parameters' current gradients; parameters
  // without a gradient are left alone.
  virtual void step() = 0;
  virtual void set_lr(double lr) = 0;
  // Ignored by optimisers without momentum.
  virtual void set_momentum(double momentum) = 0;

  // The optimiser's state (velocities, moments, step counts), appended to
  // `out` under names that start with "PREFIX.".
  virtual void save(const std::string& prefix, io::NamedTensors& out) const = 0;
  // Restores what save() wrote under `prefix`. Throws gan::Error, and
  // changes nothing, when a tensor is missing or does not fit the
  // parameters.
  virtual void load(const std::string& prefix,
                    const std::map<std::string, torch::Tensor>& tensors) = 0;
};

// An optimiser of `kind` over `parameters`, with config's lr and momentum.
std::unique_ptr<Optimizer> make_optimizer(
    const OptimConfig& config, std::vector<torch::Tensor> parameters);

}  // namespace gan::train
