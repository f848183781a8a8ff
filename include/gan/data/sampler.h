// The order in which training visits a dataset: a fresh random permutation
// per epoch that depends on (seed, epoch) alone. Any batch of any epoch can
// be recomputed without saved state, which makes resuming a run exact.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::data {

class EpochSampler {
 public:
  // Throws gan::Error when batch_size is not in [1, dataset_size].
  EpochSampler(int64_t dataset_size, int64_t batch_size, uint64_t seed);

  // Full batches per epoch; the last partial batch of each epoch is dropped.
  int64_t batches_per_epoch() const { return size_ / batch_size_; }
  int64_t batch_size() const { return batch_size_; }

  // Indices of batch `index` in epoch `epoch`: int64 [batch_size], CPU.
  torch::Tensor batch(int64_t epoch, int64_t index);

 private:
  int64_t size_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t cached_epoch_ = -1;
  torch::Tensor permutation_;  // of cached_epoch_
};

}  // namespace gan::data
