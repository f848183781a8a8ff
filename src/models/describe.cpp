// Generator descriptions. The layer order mirrors the families' forward
// passes (mlp.cpp, dcgan.cpp); each layer's sizes and hyperparameters are
// read from the module itself, so the description follows the weights.
#include "gan/models/describe.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/models/dcgan.h"
#include "gan/models/mlp.h"

namespace gan::models {
namespace {

using Json = nlohmann::ordered_json;

// The generator's submodules and tensors by name; remembers which tensors
// the description has used, so that none is left out.
class Parts {
 public:
  explicit Parts(const Generator& generator)
      : modules_(generator.named_modules("", /*include_self=*/false)) {
    for (const auto& p : generator.named_parameters()) unused_.insert(p.key());
    for (const auto& b : generator.named_buffers()) unused_.insert(b.key());
  }

  bool has(const std::string& name) const { return modules_.contains(name); }

  // The submodule `name` as a T; null when it is missing or another type.
  template <class T>
  const T* find(const std::string& name) const {
    const auto* found = modules_.find(name);
    return found ? dynamic_cast<const T*>(found->get()) : nullptr;
  }

  // The submodule `name` as a T; throws when it is missing or another type.
  template <class T>
  const T& module(const std::string& name) const {
    const T* typed = find<T>(name);
    if (!typed) {
      throw Error(fmt::format(
          "cannot describe the generator: no layer '{}' of the expected "
          "type",
          name));
    }
    return *typed;
  }

  // {"weight": "out.weight", ...} for the tensors `attributes` of the
  // submodule `name`; marks them used.
  Json tensors(const std::string& name,
               const std::vector<std::string>& attributes) {
    Json names = Json::object();
    for (const auto& attribute : attributes) {
      const std::string full = name + "." + attribute;
      if (unused_.erase(full) == 0) {
        throw Error(fmt::format(
            "cannot describe the generator: it has no tensor '{}'", full));
      }
      names[attribute] = full;
    }
    return names;
  }

  // Throws when a tensor is in no layer: the description would be
  // incomplete.
  void check_all_used() const {
    if (!unused_.empty()) {
      throw Error(fmt::format(
          "cannot describe the generator: tensors {} belong to no layer",
          fmt::join(unused_, ", ")));
    }
  }

 private:
  torch::OrderedDict<std::string, std::shared_ptr<torch::nn::Module>> modules_;
  std::set<std::string> unused_;
};

std::vector<int64_t> to_vector(const torch::ExpandingArray<2>& values) {
  return {values->begin(), values->end()};
}

Json linear(Parts& parts, const std::string& name) {
  const auto& dense = parts.module<DenseImpl>(name);
  if (dense.spectral) {
    throw Error(fmt::format(
        "cannot describe the generator: layer '{}' is spectrally normalised",
        name));
  }
  return {{"type", "linear"},
          {"in_features", dense.weight.size(1)},
          {"out_features", dense.weight.size(0)},
          {"bias", true},
          {"tensors", parts.tensors(name, {"weight", "bias"})}};
}

Json conv_transpose(Parts& parts, const std::string& name) {
  const auto& conv = parts.module<torch::nn::ConvTranspose2dImpl>(name);
  const auto& o = conv.options;
  const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
  if (!padding ||
      !c10::holds_alternative<torch::enumtype::kZeros>(o.padding_mode())) {
    throw Error(fmt::format(
        "cannot describe the generator: layer '{}' pads other than by zeros",
        name));
  }
  std::vector<std::string> attributes{"weight"};
  if (o.bias()) attributes.push_back("bias");
  return {{"type", "conv_transpose2d"},
          {"in_channels", o.in_channels()},
          {"out_channels", o.out_channels()},
          {"kernel_size", to_vector(o.kernel_size())},
          {"stride", to_vector(o.stride())},
          {"padding", to_vector(*padding)},
          {"output_padding", to_vector(o.output_padding())},
          {"dilation", to_vector(o.dilation())},
          {"groups", o.groups()},
          {"bias", o.bias()},
          {"tensors", parts.tensors(name, attributes)}};
}

Json norm(Parts& parts, const std::string& name) {
  if (const auto* batch_norm = parts.find<torch::nn::BatchNorm2dImpl>(name)) {
    const auto& o = batch_norm->options;
    std::vector<std::string> attributes;
    if (o.affine()) attributes = {"weight", "bias"};
    if (o.track_running_stats()) {
      attributes.insert(attributes.end(),
                        {"running_mean", "running_var", "num_batches_tracked"});
    }
    // A momentum of null means a cumulative average, as in PyTorch.
    return {{"type", "batch_norm2d"},
            {"num_features", o.num_features()},
            {"eps", o.eps()},
            {"momentum", o.momentum() ? Json(*o.momentum()) : Json()},
            {"affine", o.affine()},
            {"track_running_stats", o.track_running_stats()},
            {"tensors", parts.tensors(name, attributes)}};
  }
  const auto& o = parts.module<torch::nn::GroupNormImpl>(name).options;
  std::vector<std::string> attributes;
  if (o.affine()) attributes = {"weight", "bias"};
  return {{"type", "group_norm"},
          {"num_groups", o.num_groups()},
          {"num_channels", o.num_channels()},
          {"eps", o.eps()},
          {"affine", o.affine()},
          {"tensors", parts.tensors(name, attributes)}};
}

std::optional<Json> activation(OutputActivation output) {
  switch (output) {
    case OutputActivation::kSigmoid:
      return Json{{"type", "sigmoid"}};
    case OutputActivation::kTanh:
      return Json{{"type", "tanh"}};
    case OutputActivation::kIdentity:
      return std::nullopt;
  }
  return std::nullopt;
}

Json reshape(std::vector<int64_t> shape) {
  shape.insert(shape.begin(), -1);  // the batch
  return {{"type", "reshape"}, {"shape", shape}};
}

// MlpGeneratorImpl::forward: ReLU layers, the output layer, its
// activation, then the flat output viewed as one sample's shape.
Json mlp_layers(Parts& parts, const Generator& generator,
                OutputActivation output) {
  Json layers = Json::array();
  for (int i = 0; parts.has(fmt::format("hidden.{}", i)); ++i) {
    layers.push_back(linear(parts, fmt::format("hidden.{}", i)));
    layers.push_back(Json{{"type", "relu"}});
  }
  layers.push_back(linear(parts, "out"));
  if (auto a = activation(output)) layers.push_back(*a);
  layers.push_back(reshape(generator.sample_shape()));
  return layers;
}

// DcganGeneratorImpl::forward: the input as a 1 x 1 map, transposed
// convolutions with norm (when any) and ReLU after all but the last, then
// the output activation.
Json dcgan_layers(Parts& parts, const Generator& generator,
                  OutputActivation output) {
  Json layers = Json::array();
  layers.push_back(
      reshape({generator.latent_dim() + generator.num_classes(), 1, 1}));
  int blocks = 0;
  while (parts.has(fmt::format("blocks.{}", blocks))) ++blocks;
  for (int i = 0; i < blocks; ++i) {
    layers.push_back(conv_transpose(parts, fmt::format("blocks.{}", i)));
    if (i == blocks - 1) break;
    if (parts.has(fmt::format("norms.{}", i))) {
      layers.push_back(norm(parts, fmt::format("norms.{}", i)));
    }
    layers.push_back(Json{{"type", "relu"}});
  }
  if (auto a = activation(output)) layers.push_back(*a);
  return layers;
}

Json prior_json(PriorKind prior) {
  if (prior == PriorKind::kNormal) {
    return {{"kind", "normal"}, {"mean", 0.0}, {"std", 1.0}};
  }
  const double half_width = std::sqrt(3.0);
  return {{"kind", "uniform"}, {"low", -half_width}, {"high", half_width}};
}

Json output_json(OutputActivation output, const Generator& generator) {
  Json range;  // null: unbounded
  const char* name = "identity";
  if (output == OutputActivation::kSigmoid) {
    name = "sigmoid";
    range = {0.0, 1.0};
  } else if (output == OutputActivation::kTanh) {
    name = "tanh";
    range = {-1.0, 1.0};
  }
  const auto shape = generator.sample_shape();
  return {{"activation", name},
          {"range", range},
          {"kind", shape.size() == 3 ? "image" : "points"},
          {"sample_shape", shape}};
}

}  // namespace

std::string describe_generator(const Generator& generator,
                               const ModelConfig& config,
                               const DataSpec& spec) {
  // The layers, checked against the module's own tensors.
  Parts parts(generator);
  Json layers;
  const char* family = "mlp";
  if (config.family == ModelFamily::kMlp &&
      dynamic_cast<const MlpGeneratorImpl*>(&generator)) {
    layers = mlp_layers(parts, generator, spec.output);
  } else if (config.family == ModelFamily::kDcgan &&
             dynamic_cast<const DcganGeneratorImpl*>(&generator)) {
    family = "dcgan";
    layers = dcgan_layers(parts, generator, spec.output);
  } else {
    throw Error(
        "cannot describe the generator: it is not of the family its config "
        "names");
  }
  parts.check_all_used();

  // What goes in: z, and for conditional nets the class as a one-hot
  // vector after it.
  const int64_t classes = generator.num_classes();
  Json conditioning;  // null when unconditional
  if (classes > 0) {
    conditioning = {{"kind", "one_hot_appended_to_z"},
                    {"input", "concat([z, one_hot(label, num_classes)], 1)"}};
  }

  Json description;
  description["format"] = kDescriptionFormat;
  description["version"] = kDescriptionVersion;
  description["family"] = family;
  description["dtype"] = "float32";
  description["latent_dim"] = generator.latent_dim();
  description["prior"] = prior_json(config.prior);
  description["num_classes"] = classes;
  description["conditioning"] = conditioning;
  description["input_dim"] = generator.latent_dim() + classes;
  description["output"] = output_json(spec.output, generator);
  description["layers"] = layers;
  return description.dump(2);
}

}  // namespace gan::models
