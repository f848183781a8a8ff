// Scoring generated images against a reference set in a feature space:
// any of FID, KID, precision/recall and the Inception Score, with images
// streamed through the extractor in chunks (never all in memory as floats)
// and the reference's features cached. Shapes: N images, C channels, H x W
// pixels, F features, K classes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "gan/data/dataset.h"
#include "gan/eval/features.h"
#include "gan/eval/inception_score.h"
#include "gan/eval/kid.h"
#include "gan/eval/precision_recall.h"
#include "gan/models/networks.h"
#include "gan/models/prior.h"

namespace gan::eval {

struct MetricSet {
  bool fid = false;
  bool kid = false;
  bool precision_recall = false;
  bool inception_score = false;
  bool any() const { return fid || kid || precision_recall || inception_score; }
  // The metrics that compare against a reference set.
  bool needs_reference() const { return fid || kid || precision_recall; }
};

struct EvalSettings {
  int64_t kid_subsets = 100;
  int64_t kid_subset_size = 1000;
  int64_t pr_k = 3;
  int64_t is_splits = 10;
  // Seeds the KID subsets and the latents of generated samples.
  uint64_t seed = 0;
  // Images per extractor call.
  int64_t batch = 200;
};

// Produces images [begin, end) as float [n, C, H, W] in [0, 1].
using ImageSource = std::function<torch::Tensor(int64_t begin, int64_t end)>;

// The first `count` images of `data` (uint8 images, any range).
ImageSource dataset_images(const data::Dataset& data);

// Samples of `generator`, the i-th always from the same latent (drawn from
// a generator seeded with `seed`), mapped from `range` to [0, 1]; `labels`
// (int64 [count]) for conditional nets, else undefined.
ImageSource generator_images(models::Generator& generator,
                             models::PriorKind prior, data::PixelRange range,
                             c10::Device device, uint64_t seed,
                             int64_t count, const torch::Tensor& labels = {});

struct ImageFeatures {
  torch::Tensor features;       // float32 [N, F]
  torch::Tensor probabilities;  // float32 [N, K], or undefined
};

// Features (and class probabilities when asked and available) of `count`
// images from `source`.
ImageFeatures extract(FeatureExtractor& extractor, const ImageSource& source,
                      int64_t count, bool probabilities, int64_t batch);

struct FeatureScores {
  std::optional<double> fid;
  std::optional<KidResult> kid;
  std::optional<PrecisionRecall> precision_recall;
  std::optional<InceptionScore> inception_score;
  int64_t samples = 0;
  int64_t reference = 0;
};

// The metrics of `which` for `samples` against `reference` [N, F] (unused
// when no metric needs it). Throws gan::Error when the Inception Score is
// asked for but the extractor gave no probabilities.
FeatureScores score(const torch::Tensor& reference,
                    const ImageFeatures& samples, const MetricSet& which,
                    const EvalSettings& settings);

}  // namespace gan::eval
