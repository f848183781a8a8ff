// How class-conditional nets take their class. Shapes: N batch, F features,
// K classes.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::models {

// [x, one_hot(labels)]: float [N, F + K]. Returns x unchanged when
// num_classes is 0. Throws gan::Error when a conditional net gets no labels.
torch::Tensor append_one_hot(const torch::Tensor& x,
                             const torch::Tensor& labels,
                             int64_t num_classes);

}  // namespace gan::models
