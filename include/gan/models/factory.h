// Building a generator and a discriminator from a model configuration and
// the shape of the data they must fit.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gan/data/dataset.h"
#include "gan/models/dcgan.h"
#include "gan/models/mlp.h"
#include "gan/models/networks.h"
#include "gan/models/prior.h"

namespace gan::models {

// The families of nets gan can build.
enum class ModelFamily {
  kMlp,    // fully connected G, maxout or leaky-ReLU D (MlpConfig)
  kDcgan,  // convolutional G and D (DcganConfig)
};

struct ModelConfig {
  ModelFamily family = ModelFamily::kMlp;
  // Z, the size of the latent vector (the paper: 100).
  int64_t latent_dim = 100;
  // The prior p_z that latent vectors are drawn from.
  PriorKind prior = PriorKind::kUniform;
  // Condition G and D on the class label (the data must have labels).
  bool conditional = false;
  // Spectrally normalise every weight layer of D.
  bool spectral_norm = false;
  // Layouts of the two families.
  MlpConfig mlp;
  DcganConfig dcgan;
};

// What the nets must fit: one example's shape S, how G's output maps to
// the data's range, and the data's number of classes (0: unlabelled).
struct DataSpec {
  std::vector<int64_t> sample_shape;
  OutputActivation output = OutputActivation::kSigmoid;
  int64_t num_classes = 0;
};

// The spec of `data`: sigmoid output for [0, 1] images, tanh for [-1, 1],
// identity for points.
DataSpec data_spec(const data::Dataset& data);

// New nets with freshly drawn weights (libtorch's default generator) on
// the CPU. Throws gan::Error when the config cannot build a net for `spec`
// (e.g. DCGAN on points, a conditional net for unlabelled data).
std::shared_ptr<Generator> make_generator(const ModelConfig& config,
                                          const DataSpec& spec);
std::shared_ptr<Discriminator> make_discriminator(const ModelConfig& config,
                                                  const DataSpec& spec);

// Applies the data-dependent parts of initialisation the config asks for
// (e.g. the MLP's output bias from the mean training example).
void init_from_data(const ModelConfig& config, Generator& generator,
                    const data::Dataset& train);

}  // namespace gan::models
