// Exporting a trained generator for use outside gan: its weights as
// safetensors (io/safetensors.h) and its architecture as JSON
// (models/describe.h), which together rebuild it in PyTorch or another
// framework without gan or libtorch archives (docs/export.md).
#pragma once

#include <filesystem>

#include "gan/train/snapshot.h"

namespace gan::train {

// The files an export writes into its folder.
inline constexpr const char* kExportWeightsFile = "generator.safetensors";
inline constexpr const char* kExportDescriptionFile = "generator.json";

struct ExportedFiles {
  std::filesystem::path weights;      // DIR/generator.safetensors
  std::filesystem::path description;  // DIR/generator.json
};

// Writes the generator of `loaded` into `dir` (created when missing):
// every parameter and buffer, named as in the module, to
// generator.safetensors, and its description to generator.json, with
// "weights" (the safetensors file's name) and "checkpoint" (step,
// epochs_done, and whether the weights are the moving average) added.
// Each file is written atomically, the weights first. Returns their paths.
// Throws gan::Error naming the file or folder when it cannot be written,
// or when the generator cannot be described.
ExportedFiles export_generator(const LoadedGenerator& loaded,
                               const std::filesystem::path& dir);

}  // namespace gan::train
