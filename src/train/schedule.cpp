// Learning-rate decay and momentum ramp.
#include "gan/train/schedule.h"

#include <algorithm>
#include <cmath>

namespace gan::train {

double learning_rate_at(const OptimConfig& config, int64_t step) {
  // exp/log rather than pow in a loop: exact enough and O(1) at any step.
  const double lr =
      config.lr * std::exp(-static_cast<double>(step) *
                           std::log(config.lr_decay));
  return std::max(lr, config.lr_min);
}

double momentum_at(const OptimConfig& config, int64_t epochs_done) {
  const int64_t width =
      config.momentum_saturate_epoch - config.momentum_start_epoch;
  if (width <= 0) {
    return epochs_done >= config.momentum_start_epoch ? config.momentum_final
                                                      : config.momentum;
  }
  const double alpha = std::clamp(
      static_cast<double>(epochs_done - config.momentum_start_epoch) / width,
      0.0, 1.0);
  return config.momentum * (1.0 - alpha) + config.momentum_final * alpha;
}

}  // namespace gan::train
