// Train/validation cuts.
#include "gan/data/splits.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::data {

Dataset take_split(const Dataset& all, Split split, int64_t train_size,
                   const std::string& source) {
  if (train_size < 1) {
    throw Error(fmt::format("data.train_size = {}: expected >= 1",
                            train_size));
  }
  const int64_t cut = std::min(train_size, all.size());
  if (split == Split::kValidation && cut == all.size()) {
    throw Error(fmt::format(
        "{}: no validation split: data.train_size = {} takes all {} "
        "training examples; hint: lower data.train_size",
        source, train_size, all.size()));
  }
  if (split == Split::kValidation) return all.slice(cut, all.size());
  return all.slice(0, cut);
}

}  // namespace gan::data
