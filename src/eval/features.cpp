// TorchScript feature extractors and loading by file type.
#include "gan/eval/features.h"

#include <fstream>

#include <fmt/format.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/script.h>

#include "gan/core/error.h"
#include "gan/eval/classifier.h"

namespace gan::eval {
namespace {

class TorchScriptExtractor : public FeatureExtractor {
 public:
  TorchScriptExtractor(torch::jit::Module module, std::string path,
                       TorchScriptOptions options, c10::Device device)
      : module_(std::move(module)),
        path_(std::move(path)),
        options_(std::move(options)),
        device_(device) {
    module_.to(device_);
    module_.eval();
  }

  torch::Tensor features(const torch::Tensor& images) override {
    const auto out = call(images, options_.features_kwarg
                                      ? "return_features"
                                      : nullptr);
    if (out.isTuple()) return as_matrix(out.toTuple()->elements()[0].toTensor());
    return as_matrix(out.toTensor());
  }

  torch::Tensor probabilities(const torch::Tensor& images) override {
    const auto out = call(images, options_.probabilities_kwarg
                                      ? "no_output_bias"
                                      : nullptr);
    if (options_.probabilities_kwarg) return as_matrix(out.toTensor());
    if (!out.isTuple() || out.toTuple()->elements().size() < 2) return {};
    return torch::softmax(as_matrix(out.toTuple()->elements()[1].toTensor()), 1);
  }

  std::string identity() const override {
    return fmt::format("torchscript:{}:{}:{}:{}:{}", path_,
                       options_.input_size, options_.filter,
                       options_.value_range, options_.channels);
  }

 private:
  torch::jit::IValue call(const torch::Tensor& images, const char* kwarg) {
    torch::NoGradGuard no_grad;
    std::vector<torch::jit::IValue> args{prepare(images)};
    std::unordered_map<std::string, torch::jit::IValue> kwargs;
    if (kwarg) kwargs[kwarg] = true;
    try {
      return module_.get_method("forward")(args, kwargs);
    } catch (const std::exception& e) {
      throw Error(fmt::format("{}: the extractor failed on a batch of {} "
                              "({})",
                              path_, c10::str(images.sizes()), describe(e)));
    }
  }

  torch::Tensor prepare(const torch::Tensor& images) const {
    auto x = images.to(device_, torch::kFloat32);
    if (options_.channels > 0 && x.size(1) == 1 && options_.channels != 1) {
      x = x.repeat({1, options_.channels, 1, 1});
    }
    const int64_t size = options_.input_size;
    if (size > 0 && (x.size(2) != size || x.size(3) != size)) {
      namespace F = torch::nn::functional;
      auto opts = F::InterpolateFuncOptions().size(
          std::vector<int64_t>{size, size});
      if (options_.filter == "nearest") {
        opts.mode(torch::kNearest);
      } else {
        if (options_.filter == "bicubic") {
          opts.mode(torch::kBicubic);
        } else {
          opts.mode(torch::kBilinear);
        }
        opts.align_corners(false).antialias(x.size(2) > size);
      }
      x = F::interpolate(x, opts).clamp(0.0, 1.0);
    }
    if (options_.value_range == "0_255") return x.mul(255.0);
    if (options_.value_range == "minus_one_one") return x.mul(2.0).sub(1.0);
    return x;
  }

  static torch::Tensor as_matrix(const torch::Tensor& t) {
    return t.reshape({t.size(0), -1}).to(torch::kCPU, torch::kFloat32);
  }

  torch::jit::Module module_;
  std::string path_;
  TorchScriptOptions options_;
  c10::Device device_;
};

bool starts_with_bytes(const std::filesystem::path& path,
                       const std::string& magic) {
  std::ifstream in(path, std::ios::binary);
  std::string head(magic.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in && head == magic;
}

}  // namespace

TorchScriptOptions inception_options() {
  TorchScriptOptions options;
  options.input_size = 299;
  options.filter = "bicubic";
  options.value_range = "0_255";
  options.channels = 3;
  options.features_kwarg = true;
  options.probabilities_kwarg = true;
  return options;
}

std::unique_ptr<FeatureExtractor> load_torchscript_extractor(
    const std::filesystem::path& path, const TorchScriptOptions& options,
    c10::Device device) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(fmt::format("{}: feature extractor not found", path.string()));
  }
  torch::jit::Module module;
  try {
    module = torch::jit::load(path.string(), device);
  } catch (const std::exception& e) {
    throw Error(fmt::format(
        "{}: not a TorchScript module ({}); hint: save it with "
        "torch.jit.save, or train one with gan classifier train",
        path.string(), describe(e)));
  }
  return std::make_unique<TorchScriptExtractor>(std::move(module),
                                                path.string(), options, device);
}

std::unique_ptr<FeatureExtractor> load_extractor(
    const std::filesystem::path& path, const std::string& preset,
    c10::Device device) {
  if (starts_with_bytes(path, "GANCKPT\n")) {
    return load_classifier_extractor(path, device);
  }
  if (!preset.empty() && preset != "inception") {
    throw Error(fmt::format("extractor preset '{}': expected 'inception'",
                            preset));
  }
  return load_torchscript_extractor(
      path, preset == "inception" ? inception_options() : TorchScriptOptions(),
      device);
}

torch::Tensor extract_features(FeatureExtractor& extractor,
                               const torch::Tensor& images, int64_t batch) {
  std::vector<torch::Tensor> chunks;
  for (int64_t begin = 0; begin < images.size(0); begin += batch) {
    chunks.push_back(extractor.features(images.slice(0, begin, begin + batch)));
  }
  return torch::cat(chunks);
}

}  // namespace gan::eval
