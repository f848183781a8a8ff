// Feature extractors: the maps from images to the feature space in which
// FID, KID and precision/recall compare two sets of images, and to the
// class probabilities the Inception Score needs. Two kinds:
//   - any TorchScript module given by path (torch::jit::load), including the
//     Inception network StyleGAN2-ADA and clean-fid use;
//   - gan's built-in classifier for small images (eval/classifier.h).
// Shapes: N images, C channels, H x W pixels, F features, K classes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/types.h>

namespace gan::eval {

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;

  // images: float [N, C, H, W] with values in [0, 1], any device. Returns
  // float32 [N, F] on the CPU. Each extractor resizes and rescales the
  // images as its network expects.
  virtual torch::Tensor features(const torch::Tensor& images) = 0;

  // Class probabilities float32 [N, K] on the CPU; undefined when the
  // extractor has no classifier head.
  virtual torch::Tensor probabilities(const torch::Tensor& images) = 0;

  // Identifies the network and its preprocessing, for caches and reports.
  virtual std::string identity() const = 0;
};

// How images are prepared for a TorchScript network and which of its
// outputs are used.
struct TorchScriptOptions {
  // Resize to this square side; 0 keeps the images' size.
  int64_t input_size = 0;
  // Interpolation for the resize: "bilinear" or "bicubic" (both with
  // antialiasing when shrinking), "nearest".
  std::string filter = "bilinear";
  // The value range the network expects: "0_1", "minus_one_one", "0_255".
  std::string value_range = "0_1";
  // Grey images are repeated to this many channels (0: as they are).
  int64_t channels = 0;
  // Keyword arguments for forward() when features / probabilities are
  // wanted, e.g. {"return_features": true}; without them forward(x) is
  // called and, if it returns a tuple, its first element is the features
  // and its second the class logits.
  bool features_kwarg = false;
  bool probabilities_kwarg = false;
};

// The StyleGAN2-ADA / clean-fid Inception network
// (inception-2015-12-05.pt): 3-channel [0, 255] input resized to 299 x 299
// with antialiased bicubic interpolation, features from
// forward(x, return_features=True) (2048-d pool3), probabilities from
// forward(x, no_output_bias=True).
TorchScriptOptions inception_options();

// Loads the TorchScript module at `path` onto `device`. Throws gan::Error
// naming the file when it is missing or not TorchScript.
std::unique_ptr<FeatureExtractor> load_torchscript_extractor(
    const std::filesystem::path& path, const TorchScriptOptions& options,
    c10::Device device);

// Loads either kind by looking at the file: a gan classifier checkpoint or
// a TorchScript archive (`preset` "inception" selects inception_options(),
// "" the defaults).
std::unique_ptr<FeatureExtractor> load_extractor(
    const std::filesystem::path& path, const std::string& preset,
    c10::Device device);

// Features of `images` in chunks of `batch`: float32 [N, F] on the CPU.
torch::Tensor extract_features(FeatureExtractor& extractor,
                               const torch::Tensor& images,
                               int64_t batch = 200);

}  // namespace gan::eval
