// Model construction by family.
#include "gan/models/factory.h"

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan::models {
namespace {

// Classes the nets condition on: the data's, when asked for.
int64_t condition_classes(const ModelConfig& config, const DataSpec& spec) {
  if (!config.conditional) return 0;
  if (spec.num_classes < 2) {
    throw Error(
        "model.conditional = true needs labelled data (class subfolders, "
        "IDX label files or CIFAR-10 records); this dataset has no classes");
  }
  return spec.num_classes;
}

void require_images(const DataSpec& spec) {
  if (spec.sample_shape.size() != 3) {
    throw Error(
        "model.family = \"dcgan\" needs images; hint: use the mlp family "
        "for points");
  }
}

}  // namespace

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
  const int64_t classes = condition_classes(config, spec);
  switch (config.family) {
    case ModelFamily::kMlp:
      return std::make_shared<MlpGeneratorImpl>(
          config.latent_dim, spec.sample_shape, config.mlp, spec.output,
          classes);
    case ModelFamily::kDcgan:
      require_images(spec);
      return std::make_shared<DcganGeneratorImpl>(
          config.latent_dim, spec.sample_shape, config.dcgan, spec.output,
          classes);
  }
  throw Error("model.family: unknown family");
}

std::shared_ptr<Discriminator> make_discriminator(const ModelConfig& config,
                                                  const DataSpec& spec) {
  const int64_t classes = condition_classes(config, spec);
  switch (config.family) {
    case ModelFamily::kMlp:
      return std::make_shared<MlpDiscriminatorImpl>(
          spec.sample_shape, config.mlp, config.spectral_norm, classes);
    case ModelFamily::kDcgan:
      require_images(spec);
      return std::make_shared<DcganDiscriminatorImpl>(
          spec.sample_shape, config.dcgan, config.spectral_norm, classes);
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
