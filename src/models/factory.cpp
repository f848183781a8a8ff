// Model construction by family.
#include "gan/models/factory.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::models {

DataSpec data_spec(const data::Dataset& data) {
  DataSpec spec;
  spec.sample_shape = data.example_shape();
  spec.num_classes = data.num_classes();
  if (!data.is_image()) {
    spec.output = OutputActivation::kIdentity;
  } else if (data.range() == data::PixelRange::kMinusOneOne) {
    spec.output = OutputActivation::kTanh;
  } else {
    spec.output = OutputActivation::kSigmoid;
  }
  return spec;
}

std::shared_ptr<Generator> make_generator(const ModelConfig& config,
                                          const DataSpec& spec) {
  switch (config.family) {
    case ModelFamily::kMlp:
      return std::make_shared<MlpGeneratorImpl>(
          config.latent_dim, spec.sample_shape, config.mlp, spec.output);
  }
  throw Error("model.family: unknown family");
}

std::shared_ptr<Discriminator> make_discriminator(const ModelConfig& config,
                                                  const DataSpec& spec) {
  switch (config.family) {
    case ModelFamily::kMlp:
      return std::make_shared<MaxoutDiscriminatorImpl>(spec.sample_shape,
                                                       config.mlp);
  }
  throw Error("model.family: unknown family");
}

void init_from_data(const ModelConfig& config, Generator& generator,
                    const data::Dataset& train) {
  if (config.family == ModelFamily::kMlp &&
      config.mlp.g_output_bias_from_data) {
    generator.init_output_from_mean(train.mean_example());
  }
}

}  // namespace gan::models
