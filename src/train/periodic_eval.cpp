// The metrics a run computes on its own at the end of epochs.
#include "gan/train/periodic_eval.h"

#include <cmath>

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/eval/evaluator.h"
#include "gan/eval/feature_cache.h"
#include "gan/eval/features.h"
#include "gan/eval/mode_coverage.h"
#include "gan/eval/parzen.h"
#include "gan/models/sampling.h"
#include "gan/train/config.h"
#include "gan/train/figures.h"

namespace gan::train {
namespace {

// Validation images that choose the Parzen window's width (the paper's).
constexpr int64_t kParzenValidation = 1000;
// Fixed latents: every evaluation of a run scores the same z.
constexpr uint64_t kEvalSeed = 0x6576616c;  // "eval"

data::Split split_named(const std::string& name) {
  for (auto s :
       {data::Split::kTrain, data::Split::kValidation, data::Split::kTest}) {
    if (name == data::split_name(s)) return s;
  }
  throw Error(fmt::format(
      "eval.reference = \"{}\": expected train, validation or test", name));
}

}  // namespace

struct PeriodicEvaluator::State {
  EvalConfig config;
  data::DataConfig data;
  models::PriorKind prior;
  c10::Device device = torch::kCPU;
  eval::MetricSet features;
  std::unique_ptr<eval::FeatureExtractor> extractor;
  torch::Tensor reference;     // features of the reference split
  torch::Tensor parzen_valid;  // float [V, D] in [0, 1]
  torch::Tensor parzen_test;   // float [T, D] in [0, 1]
};

PeriodicEvaluator::PeriodicEvaluator(const Config& config, c10::Device device)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.config = config.eval;
  s.data = config.data;
  s.prior = config.model.prior;
  s.device = device;
  s.features = {s.config.fid, s.config.kid, s.config.precision_recall,
                s.config.inception_score};
  if (s.config.every_epochs == 0) return;

  if (s.features.any()) {
    if (s.config.extractor.empty()) {
      throw Error(
          "eval.fid, eval.kid, eval.precision_recall and "
          "eval.inception_score need eval.extractor (a TorchScript file or "
          "a classifier from gan classifier train)");
    }
    s.extractor = eval::load_extractor(s.config.extractor,
                                       s.config.extractor_preset, device);
  }
  if (s.features.needs_reference()) {
    const auto split = split_named(s.config.reference);
    const auto reference = data::load_dataset(s.data, split);
    const auto key =
        fmt::format("{}:{}:{}:{}:{}|{}|{}", s.data.path, s.config.reference,
                    s.data.train_size, s.data.image_size, s.data.channels,
                    reference.size(), s.extractor->identity());
    eval::FeatureCache cache(eval::default_cache_dir());
    s.reference = cache.get_or_compute(key, [&] {
      return eval::extract(*s.extractor, eval::dataset_images(reference),
                           reference.size(), false, 200)
          .features;
    });
  }
  if (s.config.parzen) {
    auto unit = s.data;
    unit.range = data::PixelRange::kZeroOne;
    const auto valid = data::load_dataset(unit, data::Split::kValidation);
    const auto test = data::load_dataset(unit, data::Split::kTest);
    s.parzen_valid = data::to_unit_range(
        valid.batch(torch::arange(std::min(kParzenValidation, valid.size())),
                    torch::kCPU),
        unit.range);
    s.parzen_test = data::to_unit_range(
        test.batch(torch::arange(test.size()), torch::kCPU), unit.range);
  }
  if (s.config.coverage && s.data.format != data::DataFormat::kToy) {
    throw Error("eval.coverage scores toy mixtures; this data is images");
  }
}

PeriodicEvaluator::~PeriodicEvaluator() = default;

bool PeriodicEvaluator::due(int64_t epochs_done) const {
  const auto& c = state_->config;
  const bool any = state_->features.any() || c.parzen || c.coverage;
  return any && c.every_epochs > 0 && epochs_done % c.every_epochs == 0;
}

std::map<std::string, double> PeriodicEvaluator::evaluate(
    models::Generator& generator) {
  auto& s = *state_;
  std::map<std::string, double> out;
  torch::Tensor labels;
  if (generator.num_classes() > 0) {
    labels = torch::arange(s.config.samples, torch::kInt64)
                 .remainder(generator.num_classes());
  }
  const auto source =
      eval::generator_images(generator, s.prior, s.data.range, s.device,
                             kEvalSeed, s.config.samples, labels);

  if (s.features.any()) {
    const auto samples = eval::extract(*s.extractor, source, s.config.samples,
                                       s.features.inception_score, 200);
    eval::EvalSettings settings;
    settings.seed = kEvalSeed;
    const auto scores = eval::score(s.reference, samples, s.features, settings);
    if (scores.fid) out["fid"] = *scores.fid;
    if (scores.kid) out["kid"] = scores.kid->mean;
    if (scores.precision_recall) {
      out["precision"] = scores.precision_recall->precision;
      out["recall"] = scores.precision_recall->recall;
    }
    if (scores.inception_score) {
      out["inception_score"] = scores.inception_score->mean;
    }
  }
  if (s.config.parzen) {
    const auto samples = source(0, s.config.samples);
    out["parzen"] =
        eval::parzen_evaluate(samples, s.parzen_valid, s.parzen_test)
            .log_likelihood;
  }
  if (s.config.coverage) {
    const auto points =
        fixed_seed_samples(generator, s.prior, kToyFigureSamples, s.device);
    const auto mixture = data::toy_mixture(s.data.toy);
    const auto c = eval::mode_coverage(points, mixture.means, mixture.std);
    out["modes_captured"] = static_cast<double>(c.modes_captured);
    out["high_quality"] = c.high_quality;
    if (std::isfinite(c.reverse_kl)) out["reverse_kl"] = c.reverse_kl;
  }
  return out;
}

}  // namespace gan::train
