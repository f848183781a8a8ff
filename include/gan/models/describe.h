// A generator described as JSON: its input (latent size, prior, how the
// class enters), its output (activation, range, shape) and its layers in
// order with the names of their tensors, enough to rebuild it in another
// framework from its weights saved by name. docs/export.md gives the
// schema and a PyTorch recipe. Shapes: Z latent size, K classes, S one
// sample's shape.
#pragma once

#include <cstdint>
#include <string>

#include "gan/models/factory.h"
#include "gan/models/networks.h"

namespace gan::models {

// The "format" and "version" every description carries; the version goes
// up whenever a reader of the previous one would misread the new one.
inline constexpr const char* kDescriptionFormat = "gan generator";
inline constexpr int64_t kDescriptionVersion = 1;

// The JSON description (an object, as text) of `generator`, which `config`
// and `spec` built. Each layer names its tensors by their names in
// generator.named_parameters() / named_buffers(), and every one of those
// names is used by some layer. Throws gan::Error when the generator is not
// of config.family, or has a layer or a tensor the schema cannot express
// (e.g. a spectrally normalised weight).
std::string describe_generator(const Generator& generator,
                               const ModelConfig& config, const DataSpec& spec);

}  // namespace gan::models
