// k-NN manifold estimates in blocks.
#include "gan/eval/precision_recall.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::eval {
namespace {

// Share of `queries` inside at least one ball (centre `centres`[j],
// radius `radii`[j]).
double share_inside(const torch::Tensor& queries, const torch::Tensor& centres,
                    const torch::Tensor& radii, int64_t block) {
  int64_t inside = 0;
  for (int64_t begin = 0; begin < queries.size(0); begin += block) {
    const auto q = queries.slice(0, begin, begin + block);
    const auto d = torch::cdist(q, centres);  // [B, N]
    inside += (d <= radii.unsqueeze(0)).any(1).sum().item<int64_t>();
  }
  return static_cast<double>(inside) / queries.size(0);
}

}  // namespace

torch::Tensor knn_radii(const torch::Tensor& points, int64_t k,
                        int64_t block) {
  const auto x = points.to(torch::kCPU, torch::kFloat64);
  std::vector<torch::Tensor> radii;
  for (int64_t begin = 0; begin < x.size(0); begin += block) {
    const auto d = torch::cdist(x.slice(0, begin, begin + block), x);
    // The smallest distance is the point to itself (0): take the (k+1)-th.
    radii.push_back(std::get<0>(d.topk(k + 1, 1, /*largest=*/false)).select(1, k));
  }
  return torch::cat(radii);
}

PrecisionRecall precision_recall(const torch::Tensor& real,
                                 const torch::Tensor& fake, int64_t k,
                                 int64_t block) {
  const auto r = real.to(torch::kCPU, torch::kFloat64);
  const auto f = fake.to(torch::kCPU, torch::kFloat64);
  if (r.dim() != 2 || f.dim() != 2 || r.size(1) != f.size(1) ||
      r.size(0) <= k || f.size(0) <= k) {
    throw Error(fmt::format(
        "precision/recall: expected two sets of more than k = {} points "
        "with equal feature counts, got {} and {}",
        k, c10::str(r.sizes()), c10::str(f.sizes())));
  }
  PrecisionRecall result;
  result.precision = share_inside(f, r, knn_radii(r, k, block), block);
  result.recall = share_inside(r, f, knn_radii(f, k, block), block);
  return result;
}

}  // namespace gan::eval
