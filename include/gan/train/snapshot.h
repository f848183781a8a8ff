// What a training checkpoint holds besides tensors (the run's config, the
// shape of its data, how far it got), and loading the generator alone from
// one, for sampling and evaluation. The file container is io/checkpoint.h;
// the trainer writes and restores the full training state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/nn/module.h>

#include "gan/models/factory.h"
#include "gan/train/config.h"

namespace gan::train {

// Prefixes of the tensor groups inside a checkpoint ("generator.NAME").
inline constexpr const char* kGeneratorKey = "generator";
inline constexpr const char* kDiscriminatorKey = "discriminator";
inline constexpr const char* kGeneratorEmaKey = "generator_ema";
inline constexpr const char* kGeneratorOptimizerKey = "optimizer_g";
inline constexpr const char* kDiscriminatorOptimizerKey = "optimizer_d";
inline constexpr const char* kRngKey = "rng";

struct CheckpointInfo {
  Config config;
  models::DataSpec spec;
  int64_t step = 0;         // training steps completed
  int64_t epochs_done = 0;  // complete epochs
};

// The checkpoint's JSON header for `info`, and back. decode throws
// gan::Error naming `source` for a header that is not valid.
std::string encode_checkpoint_header(const CheckpointInfo& info);
CheckpointInfo decode_checkpoint_header(const std::string& json,
                                        const std::string& source);

// Reads only the header of the checkpoint at `path` (a file or a run
// folder).
CheckpointInfo read_checkpoint_info(const std::filesystem::path& path);

struct LoadedGenerator {
  CheckpointInfo info;
  std::shared_ptr<models::Generator> generator;  // in eval mode, on device
  bool averaged = false;  // the moving average of G's weights was loaded
};

// G from the checkpoint at `path` (a file or a run folder), on `device`:
// the moving average of its weights when the run kept one (the weights to
// sample from) unless `raw` asks for the trained weights themselves.
LoadedGenerator load_generator(const std::filesystem::path& path,
                               c10::Device device, bool raw = false);

}  // namespace gan::train
