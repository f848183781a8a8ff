// Blocked nearest-neighbour search.
#include "gan/eval/nearest.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {

torch::Tensor nearest_neighbours(const torch::Tensor& samples,
                                 const torch::Tensor& train, int64_t block) {
  torch::NoGradGuard no_grad;
  const auto s = samples.reshape({samples.size(0), -1}).to(torch::kFloat64);
  const auto t = train.reshape({train.size(0), -1});
  if (t.size(0) == 0 || t.size(1) != s.size(1)) {
    throw Error(fmt::format(
        "nearest neighbours: samples of dimension {}, training set of {} "
        "examples of dimension {}",
        s.size(1), t.size(0), t.size(1)));
  }
  auto best_distance = torch::full({s.size(0)}, INFINITY, torch::kFloat64);
  auto best_index = torch::zeros({s.size(0)}, torch::kInt64);
  for (int64_t begin = 0; begin < t.size(0); begin += block) {
    const auto tb = t.slice(0, begin, begin + block).to(torch::kFloat64);
    // |s|^2 is the same for every candidate: only |t|^2 - 2 s.t matters.
    const auto d = tb.square().sum(1) - 2.0 * s.matmul(tb.t());  // [S, B]
    const auto [value, index] = d.min(/*dim=*/1);
    const auto better = value < best_distance;
    best_distance = torch::where(better, value, best_distance);
    best_index = torch::where(better, index + begin, best_index);
  }
  return best_index;
}

torch::Tensor pair_with_neighbours(const torch::Tensor& samples,
                                   const torch::Tensor& neighbours) {
  auto pairs = torch::stack({samples, neighbours.to(samples.dtype())}, 1);
  auto shape = samples.sizes().vec();
  shape[0] *= 2;
  return pairs.reshape(shape);
}

}  // namespace gan::eval
