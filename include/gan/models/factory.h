// Building a generator and a discriminator from a model configuration and
// the shape of the data they must fit.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gan/data/dataset.h"
#include "gan/models/mlp.h"
#include "gan/models/networks.h"
#include "gan/models/prior.h"

namespace gan::models {

// The families of nets gan can build.
enum class ModelFamily {
  kMlp,  // the paper's fully connected G and maxout D (MlpConfig)
};

struct ModelConfig {
  ModelFamily family = ModelFamily::kMlp;
  // Z, the size of the latent vector (the paper: 100).
  int64_t latent_dim = 100;
  // The prior p_z that latent vectors are drawn from.
  PriorKind prior = PriorKind::kUniform;
  // Layout of the kMlp family.
  MlpConfig mlp;
};

// What the nets must fit: one example's shape S, how G's output maps to
// the data's range, and the number of classes (0: unconditional).
struct DataSpec {
  std::vector<int64_t> sample_shape;
  OutputActivation output = OutputActivation::kSigmoid;
  int64_t num_classes = 0;
};

// The spec of `data`: sigmoid output for [0, 1] images, tanh for [-1, 1],
// identity for points.
DataSpec data_spec(const data::Dataset& data);

// New nets with freshly drawn weights (libtorch's default generator) on
// the CPU. Throws gan::Error when the config cannot build a net for `spec`.
std::shared_ptr<Generator> make_generator(const ModelConfig& config,
                                          const DataSpec& spec);
std::shared_ptr<Discriminator> make_discriminator(const ModelConfig& config,
                                                  const DataSpec& spec);

// Applies the data-dependent parts of initialisation the config asks for
// (e.g. the MLP's output bias from the mean training example).
void init_from_data(const ModelConfig& config, Generator& generator,
                    const data::Dataset& train);

}  // namespace gan::models
