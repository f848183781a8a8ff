// The built-in classifier: model, training loop, saving and loading.
#include "gan/eval/classifier.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/functional/upsampling.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/data/sampler.h"
#include "gan/io/checkpoint.h"

namespace gan::eval {
namespace {

constexpr const char* kFormatName = "gan classifier";
constexpr const char* kModelKey = "classifier";

class ClassifierExtractor : public FeatureExtractor {
 public:
  ClassifierExtractor(SmallCnn model, std::string path, c10::Device device)
      : model_(std::move(model)), path_(std::move(path)), device_(device) {
    model_->to(device_);
    model_->eval();
  }

  torch::Tensor features(const torch::Tensor& images) override {
    torch::NoGradGuard no_grad;
    return model_->features(prepare(images)).cpu();
  }

  torch::Tensor probabilities(const torch::Tensor& images) override {
    torch::NoGradGuard no_grad;
    return torch::softmax(model_->forward(prepare(images)), 1).cpu();
  }

  std::string identity() const override { return "classifier:" + path_; }

 private:
  // To the classifier's channels and size.
  torch::Tensor prepare(const torch::Tensor& images) const {
    const auto& shape = model_->input_shape();
    auto x = images.to(device_, torch::kFloat32);
    if (x.size(1) == 3 && shape[0] == 1) {
      x = (x * torch::tensor({0.299f, 0.587f, 0.114f}, x.options())
                   .view({1, 3, 1, 1}))
              .sum(1, true);
    } else if (x.size(1) == 1 && shape[0] == 3) {
      x = x.repeat({1, 3, 1, 1});
    }
    if (x.size(2) != shape[1] || x.size(3) != shape[2]) {
      namespace F = torch::nn::functional;
      x = F::interpolate(x, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{shape[1], shape[2]})
                                .mode(torch::kBilinear)
                                .align_corners(false)
                                .antialias(x.size(2) > shape[1]));
    }
    return x;
  }

  SmallCnn model_;
  std::string path_;
  c10::Device device_;
};

double accuracy(SmallCnn& model, const data::Dataset& test,
                c10::Device device) {
  torch::NoGradGuard no_grad;
  model->eval();
  int64_t right = 0;
  constexpr int64_t kBatch = 1000;
  for (int64_t begin = 0; begin < test.size(); begin += kBatch) {
    const auto idx = torch::arange(begin, std::min(begin + kBatch, test.size()),
                                   torch::kInt64);
    const auto x = data::to_unit_range(test.batch(idx, device), test.range());
    const auto predicted = model->forward(x).argmax(1).cpu();
    right +=
        (predicted == test.labels().index_select(0, idx)).sum().item<int64_t>();
  }
  model->train();
  return static_cast<double>(right) / std::max<int64_t>(test.size(), 1);
}

}  // namespace

SmallCnnImpl::SmallCnnImpl(std::vector<int64_t> input_shape,
                           int64_t num_classes, int64_t width, int64_t features)
    : input_shape_(std::move(input_shape)) {
  using torch::nn::Conv2dOptions;
  conv1_ = register_module(
      "conv1",
      torch::nn::Conv2d(Conv2dOptions(input_shape_[0], width, 3).padding(1)));
  conv2_ = register_module(
      "conv2",
      torch::nn::Conv2d(Conv2dOptions(width, 2 * width, 3).padding(1)));
  const int64_t pooled = (input_shape_[1] / 4) * (input_shape_[2] / 4);
  hidden_ = register_module("hidden",
                            torch::nn::Linear(2 * width * pooled, features));
  out_ = register_module("out", torch::nn::Linear(features, num_classes));
}

torch::Tensor SmallCnnImpl::features(const torch::Tensor& x) {
  auto h = torch::max_pool2d(torch::relu(conv1_(x)), 2);
  h = torch::max_pool2d(torch::relu(conv2_(h)), 2);
  return torch::relu(hidden_(h.flatten(1)));
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor& x) {
  return out_(features(x));
}

ClassifierReport train_classifier(
    const data::Dataset& train, const data::Dataset& test,
    const ClassifierConfig& config, c10::Device device,
    const std::filesystem::path& out,
    const std::function<void(int64_t, double)>& progress) {
  if (!train.has_labels() || !train.is_image()) {
    throw Error(
        "gan classifier train needs labelled images (MNIST-format or "
        "CIFAR-10 files, or a folder with class subfolders)");
  }
  torch::manual_seed(static_cast<uint64_t>(config.seed));
  SmallCnn model(train.example_shape(), train.num_classes(), config.width,
                 config.features);
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(config.lr));
  data::EpochSampler sampler(train.size(), config.batch_size,
                             static_cast<uint64_t>(config.seed));

  for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    double total = 0;
    for (int64_t b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto idx = sampler.batch(epoch, b);
      const auto x =
          data::to_unit_range(train.batch(idx, device), train.range());
      const auto loss = torch::cross_entropy_loss(
          model->forward(x), train.batch_labels(idx, device));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>();
    }
    if (progress) progress(epoch + 1, total / sampler.batches_per_epoch());
  }

  ClassifierReport report;
  report.test_accuracy = accuracy(model, test, device);
  report.train_examples = train.size();
  report.test_examples = test.size();

  nlohmann::json header = {
      {"format", kFormatName},
      {"input_shape", train.example_shape()},
      {"num_classes", train.num_classes()},
      {"width", config.width},
      {"features", config.features},
      {"test_accuracy", report.test_accuracy},
  };
  io::NamedTensors tensors;
  io::add_module_tensors(tensors, kModelKey, *model);
  io::write_checkpoint(out, header.dump(2), tensors);
  return report;
}

std::unique_ptr<FeatureExtractor> load_classifier_extractor(
    const std::filesystem::path& path, c10::Device device) {
  auto contents = io::read_checkpoint(path);
  std::vector<int64_t> input_shape;
  int64_t num_classes = 0, width = 0, features = 0;
  try {
    const auto header = nlohmann::json::parse(contents.header_json);
    if (header.at("format") != kFormatName) {
      throw Error(fmt::format(
          "{}: a gan checkpoint, but not a classifier; hint: train one with "
          "gan classifier train",
          path.string()));
    }
    input_shape = header.at("input_shape").get<std::vector<int64_t>>();
    num_classes = header.at("num_classes").get<int64_t>();
    width = header.at("width").get<int64_t>();
    features = header.at("features").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: malformed classifier header ({})",
                            path.string(), e.what()));
  }
  SmallCnn model(input_shape, num_classes, width, features);
  io::load_module_tensors(contents.tensors, kModelKey, *model, path.string());
  return std::make_unique<ClassifierExtractor>(std::move(model), path.string(),
                                               device);
}

}  // namespace gan::eval
