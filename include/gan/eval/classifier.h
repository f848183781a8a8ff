// gan's built-in feature extractor for small images: a small convolutional
// classifier trained on a labelled dataset (Fashion-MNIST, say). Its
// penultimate layer is the feature space of "domain FID": comparable
// between generators of the same data, not with Inception FID, whose
// network and feature space are different. Shapes: N images, C channels,
// S x S pixels, F features, K classes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "gan/data/dataset.h"
#include "gan/eval/features.h"

namespace gan::eval {

struct ClassifierConfig {
  // Passes over the training set.
  int64_t epochs = 3;
  int64_t batch_size = 128;
  // Adam's learning rate.
  double lr = 1e-3;
  int64_t seed = 1;
  // Channels of the first convolution; the second has twice as many.
  int64_t width = 32;
  // F, the width of the feature layer.
  int64_t features = 128;
};

// conv3x3(C -> w) ReLU maxpool2, conv3x3(w -> 2w) ReLU maxpool2,
// dense -> F ReLU (the features), dense -> K (the logits).
class SmallCnnImpl : public torch::nn::Module {
 public:
  SmallCnnImpl(std::vector<int64_t> input_shape, int64_t num_classes,
               int64_t width, int64_t features);

  // x: float [N, C, S, S] in [0, 1]. Returns [N, F].
  torch::Tensor features(const torch::Tensor& x);
  // Returns logits [N, K].
  torch::Tensor forward(const torch::Tensor& x);

  const std::vector<int64_t>& input_shape() const { return input_shape_; }

 private:
  std::vector<int64_t> input_shape_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear hidden_{nullptr}, out_{nullptr};
};
TORCH_MODULE(SmallCnn);

struct ClassifierReport {
  double test_accuracy = 0;
  int64_t train_examples = 0;
  int64_t test_examples = 0;
};

// Trains a SmallCnn on `train` (uint8 images with labels) and measures its
// accuracy on `test`; `progress` (may be empty) hears (epoch, mean loss)
// after each epoch. Writes the classifier to `out` (a gan checkpoint file,
// atomically). Throws gan::Error for unlabelled data.
ClassifierReport train_classifier(
    const data::Dataset& train, const data::Dataset& test,
    const ClassifierConfig& config, c10::Device device,
    const std::filesystem::path& out,
    const std::function<void(int64_t, double)>& progress = {});

// The classifier at `path` as a feature extractor: images are converted to
// its channels and resized to its input size first. Throws gan::Error
// naming the file when it is not a gan classifier.
std::unique_ptr<FeatureExtractor> load_classifier_extractor(
    const std::filesystem::path& path, c10::Device device);

}  // namespace gan::eval
