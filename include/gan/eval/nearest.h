// Nearest neighbours in the training set, for the paper's Figure 2: each
// sample beside the training example closest to it in L2, which shows that
// the generator has not merely memorised its data. Shapes: S samples,
// N training examples, D dimensions (flattened), [C, H, W] one image.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace gan::eval {

// Index (int64 [S]) into `train` [N, ...] of each sample's nearest example
// in Euclidean distance, computed in blocks of `block` training examples.
torch::Tensor nearest_neighbours(const torch::Tensor& samples,
                                 const torch::Tensor& train,
                                 int64_t block = 10000);

// Figure 2's layout: samples [S, C, H, W] and their neighbours
// [S, C, H, W] interleaved as [2S, C, H, W] (sample, neighbour, ...), ready
// for a grid with an even number of columns.
torch::Tensor pair_with_neighbours(const torch::Tensor& samples,
                                   const torch::Tensor& neighbours);

}  // namespace gan::eval
