// Streaming images through an extractor and scoring the features.
#include "gan/eval/evaluator.h"

#include <ATen/CPUGeneratorImpl.h>

#include "gan/core/error.h"
#include "gan/eval/fid.h"
#include "gan/models/sampling.h"

namespace gan::eval {

ImageSource dataset_images(const data::Dataset& data) {
  return [&data](int64_t begin, int64_t end) {
    const auto idx = torch::arange(begin, end, torch::kInt64);
    return data::to_unit_range(data.batch(idx, torch::kCPU), data.range());
  };
}

ImageSource generator_images(models::Generator& generator,
                             models::PriorKind prior, data::PixelRange range,
                             c10::Device device, uint64_t seed,
                             int64_t count, const torch::Tensor& labels) {
  // All latents up front (count x Z floats is small), so that chunking
  // never changes which sample gets which latent.
  auto stream = at::detail::createCPUGenerator(seed);
  auto latents = std::make_shared<torch::Tensor>(models::sample_prior(
      prior, count, generator.latent_dim(), torch::kCPU, stream));
  return [&generator, latents, labels, range, device](int64_t begin,
                                                      int64_t end) {
    const auto y = labels.defined() ? labels.slice(0, begin, end) : labels;
    return data::to_unit_range(
        models::generate_from(generator, latents->slice(0, begin, end), device,
                              end - begin, y),
        range);
  };
}

ImageFeatures extract(FeatureExtractor& extractor, const ImageSource& source,
                      int64_t count, bool probabilities, int64_t batch) {
  std::vector<torch::Tensor> features, probs;
  for (int64_t begin = 0; begin < count; begin += batch) {
    const auto images = source(begin, std::min(begin + batch, count));
    features.push_back(extractor.features(images));
    if (probabilities) {
      auto p = extractor.probabilities(images);
      if (!p.defined()) {
        throw Error(
            "the Inception Score needs class probabilities, which this "
            "feature extractor does not give");
      }
      probs.push_back(std::move(p));
    }
  }
  ImageFeatures out;
  out.features = torch::cat(features);
  if (probabilities) out.probabilities = torch::cat(probs);
  return out;
}

FeatureScores score(const torch::Tensor& reference,
                    const ImageFeatures& samples, const MetricSet& which,
                    const EvalSettings& settings) {
  FeatureScores scores;
  scores.samples = samples.features.size(0);
  if (which.needs_reference()) scores.reference = reference.size(0);
  if (which.fid) {
    GaussianStats real, fake;
    real.add(reference);
    fake.add(samples.features);
    scores.fid = frechet_distance(real, fake);
  }
  if (which.kid) {
    scores.kid = kernel_inception_distance(
        reference, samples.features, settings.kid_subsets,
        settings.kid_subset_size, settings.seed);
  }
  if (which.precision_recall) {
    scores.precision_recall =
        precision_recall(reference, samples.features, settings.pr_k);
  }
  if (which.inception_score) {
    if (!samples.probabilities.defined()) {
      throw Error("the Inception Score needs class probabilities");
    }
    scores.inception_score =
        inception_score(samples.probabilities, settings.is_splits);
  }
  return scores;
}

}  // namespace gan::eval
