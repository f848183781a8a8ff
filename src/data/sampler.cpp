// Per-epoch permutations from a counter-based seed.
#include "gan/data/sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/core/hash.h"

namespace gan::data {

EpochSampler::EpochSampler(int64_t dataset_size, int64_t batch_size,
                           uint64_t seed)
    : size_(dataset_size), batch_size_(batch_size), seed_(seed) {
  if (batch_size < 1 || batch_size > dataset_size) {
    throw Error(fmt::format(
        "batch size {} does not fit a dataset of {} examples; expected 1 to "
        "{}",
        batch_size, dataset_size, dataset_size));
  }
}

torch::Tensor EpochSampler::batch(int64_t epoch, int64_t index) {
  if (epoch != cached_epoch_) {
    auto generator = at::detail::createCPUGenerator(
        splitmix64(seed_ ^ splitmix64(static_cast<uint64_t>(epoch))));
    permutation_ =
        torch::randperm(size_, generator, torch::TensorOptions(torch::kInt64));
    cached_epoch_ = epoch;
  }
  const int64_t begin = (index % batches_per_epoch()) * batch_size_;
  return permutation_.slice(0, begin, begin + batch_size_);
}

}  // namespace gan::data
