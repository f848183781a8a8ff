// The paper's hyperparameter schedules, as pure functions of progress so
// that a resumed run picks them up exactly: the learning rate decays every
// step, SGD's momentum ramps up over epochs.
#pragma once

#include <cstdint>

#include "gan/train/optimizer.h"

namespace gan::train {

// Learning rate for step `step` (0-based): lr / lr_decay^step, never below
// lr_min (pylearn2's ExponentialDecay).
double learning_rate_at(const OptimConfig& config, int64_t step);

// SGD momentum once `epochs_done` epochs are complete: `momentum` until
// momentum_start_epoch, then linear up to `momentum_final` at
// momentum_saturate_epoch, constant after (pylearn2's MomentumAdjustor).
double momentum_at(const OptimConfig& config, int64_t epochs_done);

}  // namespace gan::train
