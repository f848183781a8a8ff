// Evaluation during training: every eval.every_epochs epochs the trainer
// scores its generator with the metrics the config names and logs them in
// the run's metrics (one {"step", "epoch", "eval": {...}} line), so metric
// curves sit beside the loss curves. Reference data, the extractor and the
// reference features are prepared once, when the evaluator is built, so a
// missing file fails the run at its start rather than hours in.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <c10/core/Device.h>

#include "gan/data/dataset.h"
#include "gan/models/networks.h"

namespace gan::eval {
class FeatureExtractor;
}

namespace gan::train {

struct Config;

struct EvalConfig {
  // Evaluate every this many epochs; 0: never.
  int64_t every_epochs = 0;
  // Feature-space metrics (they need `extractor`).
  bool fid = false;
  bool kid = false;
  bool precision_recall = false;
  bool inception_score = false;
  // The paper's Parzen-window log-likelihood (needs validation and test
  // splits) and toy-mixture mode coverage.
  bool parzen = false;
  bool coverage = false;
  // A TorchScript file or a gan classifier; `extractor_preset` "inception"
  // for StyleGAN2-ADA's Inception file.
  std::string extractor;
  std::string extractor_preset;
  // Generated samples per evaluation.
  int64_t samples = 5000;
  // The split the feature metrics compare against.
  std::string reference = "validation";
};

class PeriodicEvaluator {
 public:
  // Loads what the metrics need. Throws gan::Error when a metric cannot
  // run on this data (e.g. Parzen without a test split, coverage on
  // images, feature metrics without an extractor).
  PeriodicEvaluator(const Config& config, c10::Device device);
  ~PeriodicEvaluator();

  // Whether any metric is due after `epochs_done` complete epochs.
  bool due(int64_t epochs_done) const;

  // Scores `generator` (left in the mode it was in). Returns metric name ->
  // value: fid, kid, precision, recall, inception_score, parzen,
  // modes_captured, high_quality, reverse_kl (only finite values).
  std::map<std::string, double> evaluate(models::Generator& generator);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gan::train
