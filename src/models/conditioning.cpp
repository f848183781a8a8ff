// One-hot conditioning.
#include "gan/models/conditioning.h"

#include "gan/core/error.h"

namespace gan::models {

torch::Tensor append_one_hot(const torch::Tensor& x,
                             const torch::Tensor& labels,
                             int64_t num_classes) {
  if (num_classes == 0) return x;
  if (!labels.defined()) {
    throw Error("a class-conditional net needs a class for every example");
  }
  const auto one_hot =
      torch::one_hot(labels, num_classes).to(x.scalar_type());
  return torch::cat({x, one_hot}, 1);
}

}  // namespace gan::models
