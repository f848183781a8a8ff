// The three parts of a dataset the paper's protocol uses.
#pragma once

namespace gan::data {

// kTrain fits the nets, kValidation picks hyperparameters (the Parzen
// window's width), kTest is scored once.
enum class Split { kTrain, kValidation, kTest };

// "train", "validation" or "test".
constexpr const char* split_name(Split split) {
  switch (split) {
    case Split::kTrain: return "train";
    case Split::kValidation: return "validation";
    case Split::kTest: return "test";
  }
  return "?";
}

}  // namespace gan::data
