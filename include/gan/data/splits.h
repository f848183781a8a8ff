// Cutting a training set into the train and validation splits.
#pragma once

#include <cstdint>
#include <string>

#include "gan/data/dataset.h"
#include "gan/data/split.h"

namespace gan::data {

// The train split is the first `train_size` examples of `all` (all of them
// when it holds fewer), validation the rest. Throws gan::Error naming
// `source` when `train_size` < 1 or the requested split is empty.
Dataset take_split(const Dataset& all, Split split, int64_t train_size,
                   const std::string& source);

}  // namespace gan::data
