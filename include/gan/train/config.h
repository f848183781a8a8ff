// The complete description of a training run. Every field has a default
// (together: the paper's Fashion-MNIST run); a TOML file sets any subset,
// and "key=value" overrides set single keys. Keys are dotted paths named
// after the fields: "optim.lr", "model.mlp.d_pieces", "train.epochs".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gan/data/load.h"
#include "gan/losses/adversarial.h"
#include "gan/models/factory.h"
#include "gan/train/optimizer.h"
#include "gan/train/periodic_eval.h"

namespace gan::train {

struct TrainConfig {
  // Passes over the training split.
  int64_t epochs = 100;
  // Examples per minibatch, real and generated alike (the paper: 100).
  int64_t batch_size = 100;
  // k in Algorithm 1: discriminator steps per generator step.
  int64_t d_steps = 1;
  // Seeds weights, noise, dropout and data order; a run is reproducible
  // from its seed on one thread.
  int64_t seed = 1;
  // Stop after this many steps even if epochs remain; 0: no limit.
  int64_t max_steps = 0;
  // Keep a moving average of G's weights, p_avg <- d p_avg + (1 - d) p,
  // after every G update, and sample from it; 0: off (typical: 0.999).
  double ema_decay = 0.0;
  // Train the MLP nets with maxout D on the CPU through hand-written
  // passes (models/mlp_passes.h) instead of autograd, when they apply (no
  // classes, no spectral norm, no gradient penalty): the same math, faster
  // (docs/performance.md). false: autograd for every net.
  bool fast_path = true;
  // Matrix products in "float32", or in "bf16" (bfloat16 operands, float32
  // weights and accumulation; needs the fast path, docs/performance.md).
  std::string precision = "float32";
  // CPU threads for libtorch and BLAS; 0: every core.
  int64_t threads = 0;
  // "cpu", "cuda" or "cuda:N".
  std::string device = "cpu";
};

struct LogConfig {
  // A line of losses and D's outputs every this many steps.
  int64_t every_steps = 100;
  // A sample grid every this many epochs; 0: none.
  int64_t grid_every_epochs = 1;
  // Samples in each grid (a square number gives a square grid).
  int64_t grid_count = 100;
  // A checkpoint every this many epochs; 0: only at the end of training.
  int64_t checkpoint_every_epochs = 1;
  // Step checkpoints kept in the run folder; older ones are deleted.
  int64_t keep_checkpoints = 3;
};

struct Config {
  data::DataConfig data;
  models::ModelConfig model;
  losses::LossConfig loss;
  OptimConfig optim;
  TrainConfig train;
  LogConfig log;
  EvalConfig eval;
};

// Defaults overlaid with the TOML file `path`. Throws gan::Error naming the
// file and the key for a syntax error, an unknown key (with the closest
// known one as a hint), a value of the wrong type or an invalid value.
Config load_config(const std::filesystem::path& path);

// Like load_config, on TOML text; `source` names it in errors. `base`
// supplies the values of keys the text does not set.
Config parse_config(std::string_view toml_text, const std::string& source,
                    const Config& base = Config());

// Sets one key from "key=value", the value written as in TOML (strings may
// be unquoted). Throws gan::Error for an unknown key or a bad value.
void apply_override(Config& config, std::string_view assignment);

// Checks every value's range; throws gan::Error naming the first bad key,
// its value and what was expected.
void validate(const Config& config);

// The config as TOML, one commented line per key; parse_config of the
// result gives back an equal config.
std::string to_toml(const Config& config);

// One line of documentation per key, for --help output.
struct KeyInfo {
  std::string key;
  std::string value;  // current value, as TOML
  std::string doc;
};
std::vector<KeyInfo> describe_keys(const Config& config = Config());

}  // namespace gan::train
