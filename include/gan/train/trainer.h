// Training: the GAN paper's Algorithm 1. Each step makes k discriminator
// updates, each on a fresh real minibatch and a fresh generated one, then
// one generator update. Every loss, penalty and model family goes through
// this one loop. The trainer owns both nets, their optimisers, an optional
// moving average of G's weights and the run's progress; it saves and
// restores all of it in checkpoints, so a resumed run continues exactly
// where the saved one stopped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <torch/types.h>

#include "gan/data/dataset.h"
#include "gan/data/sampler.h"
#include "gan/models/networks.h"
#include "gan/train/config.h"
#include "gan/train/optimizer.h"
#include "gan/train/periodic_eval.h"

namespace gan::io {
class RunDir;
class MetricsLog;
}  // namespace gan::io

namespace gan::models {
class MlpDiscriminatorPass;
class MlpGeneratorPass;
}  // namespace gan::models

namespace gan::train {

class Communicator;

// Means over the steps since the last log line.
struct StepStats {
  int64_t step = 0;   // steps completed
  int64_t epoch = 0;  // epoch of the last step (0-based)
  double loss_d = 0;  // D's loss (-V(D, G) for the GAN loss)
  double loss_g = 0;  // G's loss
  // Mean D(x) over real minibatches and mean D(G(z)) over D's generated
  // ones: probabilities for the cross-entropy losses, raw outputs for the
  // others.
  double d_real = 0;
  double d_fake = 0;
  double lr = 0;                 // learning rate of the last step
  double momentum = 0;           // SGD momentum of the last step
  double images_per_second = 0;  // real examples consumed per second
};

// What a caller hears of a run. The library never prints: a command line
// tool draws a progress bar from these, a program may log them or ignore
// them. All methods run on the training thread, between steps.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  // Training starts at `step` of `total_steps`.
  virtual void on_start(int64_t /*step*/, int64_t /*total_steps*/) {}
  // After every step; cheap to call.
  virtual void on_step(int64_t /*step*/, int64_t /*total_steps*/,
                       int64_t /*epoch*/, double /*images_per_second*/) {}
  // Every log.every_steps steps.
  virtual void on_log(const StepStats& /*stats*/) {}
  // A file was written: a sample grid or a checkpoint.
  virtual void on_file(const std::filesystem::path& /*path*/) {}
  // Something went wrong that does not stop training (e.g. the report
  // could not be written).
  virtual void on_warning(const std::string& /*message*/) {}
  // A periodic evaluation finished (metric name -> value).
  virtual void on_eval(int64_t /*step*/,
                       const std::map<std::string, double>& /*metrics*/) {}
};

class Trainer {
 public:
  // Builds fresh nets for `train_data` on `device`, seeded by
  // config.train.seed (libtorch's default generators are reseeded) and
  // initialised from the data as the config asks; sets libtorch's thread
  // count to config.train.threads. Throws gan::Error for a config that does
  // not fit the data (e.g. a batch larger than the dataset).
  //
  // With a communicator of N > 1 workers, this trainer is one rank of a
  // data-parallel job: config.train.batch_size stays the global batch and
  // this rank takes its N-th of every minibatch (an error unless N divides
  // it), gradients are averaged over the ranks before every optimiser
  // step, and fit() starts from rank 0's weights. train.threads is the
  // machine's total, split among its local workers. CPU only. Batch norm
  // normalises each worker's share on its own; rank 0's running statistics
  // are the ones saved.
  // TODO(distributed): synchronised batch norm (batch statistics
  // all-reduced in the forward pass), for per-worker batches too small to
  // normalise alone; not built yet.
  Trainer(Config config, data::Dataset train_data, c10::Device device,
          std::shared_ptr<Communicator> communicator = nullptr);
  ~Trainer();

  // Runs steps until config.train.epochs are complete, config.train.max_steps
  // is reached or request_stop() is called (on any rank, in a distributed
  // job: all stop after the same step). Only rank 0 should be given a run
  // folder and an observer. With a run folder, writes the
  // config, metrics, sample grids and checkpoints there, and at the end
  // always a checkpoint and the HTML report. Returns normally in all three
  // cases; throws gan::Error when training diverges (see step()), leaving
  // the run's checkpoints as they were (no checkpoint is written then).
  void fit(io::RunDir* run, TrainObserver* observer);

  // One step of Algorithm 1. Returns this step's statistics (no images/s),
  // averaged over the ranks in a distributed job. Throws gan::Error naming
  // the step when a loss is NaN or infinite, or when a rank stops
  // answering.
  StepStats step();

  // Throws gan::Error naming the net, the parameter and the step when a
  // weight of G or D is NaN or infinite. fit() checks at every log line
  // and before every checkpoint, so no checkpoint holds a diverged net.
  void check_weights_finite();

  // Saves nets, optimisers, progress and random-generator states.
  void save_checkpoint(const std::filesystem::path& path) const;
  // Restores what save_checkpoint wrote. Throws gan::Error naming the file
  // when it is unreadable or does not fit this trainer's model.
  void load_checkpoint(const std::filesystem::path& path);

  // Makes every rank hold rank 0's weights, buffers and moving average
  // (fit() does it first, so after a start or a resume). A no-op without
  // a communicator.
  void synchronize_weights();

  // Asks fit() to stop after the current step (then it checkpoints).
  // Async-signal-safe.
  void request_stop() { stop_requested_.store(true); }

  int64_t steps_done() const { return step_; }
  // This worker's rank and the job's worker count (0 and 1 alone).
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  // Steps fit() runs to: epochs x steps per epoch, capped by max_steps.
  int64_t total_steps() const;
  const Config& config() const { return config_; }
  c10::Device device() const { return device_; }
  models::Generator& generator() { return *generator_; }
  models::Discriminator& discriminator() { return *discriminator_; }
  // The moving average of G's weights (train.ema_decay > 0), else G.
  models::Generator& sampling_generator();
  Optimizer& generator_optimizer() { return *g_optimizer_; }
  Optimizer& discriminator_optimizer() { return *d_optimizer_; }

  // One D update on `real` (float [N, ...S] on the device, with its labels
  // for conditional nets) and a fresh generated batch of the same size,
  // plus the configured gradient penalties. G's weights are not updated.
  // Returns {loss, mean D(x), mean D(G(z))} as detached scalars.
  std::array<torch::Tensor, 3> discriminator_step(const torch::Tensor& real,
                                                  const torch::Tensor& labels);
  // One G update on a fresh batch of `n` latents (and random classes for
  // conditional nets; `n` is the global batch, this rank takes its share), then
  // the moving average's update; D's weights are not updated. Returns G's loss,
  // detached.
  torch::Tensor generator_step(int64_t n);

  // True when steps go through the hand-written MLP passes
  // (models/mlp_passes.h, train.fast_path) rather than autograd.
  bool uses_fast_path() const { return d_pass_ != nullptr; }

  // The fixed latent batch every sample grid is drawn from (on the device),
  // and its classes (undefined for unconditional nets).
  const torch::Tensor& fixed_noise() const { return fixed_noise_; }
  const torch::Tensor& fixed_labels() const { return fixed_labels_; }

 private:
  void apply_schedules();
  torch::Tensor random_labels(int64_t n) const;
  void update_ema();
  void write_figures(io::RunDir& run, int64_t epochs_done,
                     TrainObserver* observer);
  void checkpoint_run(io::RunDir& run, TrainObserver* observer);
  void run_evaluation(io::MetricsLog* metrics, TrainObserver* observer);
  // Latents (and classes) for this rank's share of a global batch of
  // `n_global`: every rank draws the whole batch from the shared stream
  // and keeps its slice, so the draws match a single process's.
  torch::Tensor draw_latents(int64_t n_global);
  torch::Tensor draw_labels(int64_t n_global);
  torch::Tensor local_slice(const torch::Tensor& global) const;
  // A seed for one phase of this step's per-rank draws (dropout, penalty
  // mixes), derived from (seed, rank, step, phase).
  uint64_t rank_stream_seed(int64_t phase) const;
  // The mean of `module`'s gradients over the ranks, before a step.
  void average_gradients(torch::nn::Module& module, const char* name);
  // Averages the step's statistics over the ranks and spreads a stop
  // request from any of them.
  void reduce_stats(StepStats& stats);
  // discriminator_step and generator_step through the MLP passes.
  std::array<torch::Tensor, 3> fast_discriminator_step(
      const torch::Tensor& real);
  torch::Tensor fast_generator_step(int64_t n);

  Config config_;
  data::Dataset data_;
  c10::Device device_;
  data::EpochSampler sampler_;
  std::shared_ptr<Communicator> communicator_;  // null alone
  int rank_ = 0;
  int world_size_ = 1;
  int64_t phase_ = 0;  // per-rank draws made so far in this step
  int64_t steps_per_epoch_ = 0;
  int64_t step_ = 0;
  std::shared_ptr<models::Generator> generator_;
  std::shared_ptr<models::Discriminator> discriminator_;
  std::shared_ptr<models::Generator> ema_;  // null when train.ema_decay = 0
  std::unique_ptr<Optimizer> g_optimizer_;
  std::unique_ptr<Optimizer> d_optimizer_;
  std::unique_ptr<PeriodicEvaluator> evaluator_;  // null without eval
  // The fast path's passes; null when autograd trains the nets.
  std::unique_ptr<models::MlpGeneratorPass> g_pass_;
  std::unique_ptr<models::MlpDiscriminatorPass> d_pass_;
  torch::Tensor d_batch_;  // real then generated examples, [2N, I]
  torch::Tensor fixed_noise_;
  torch::Tensor fixed_labels_;
  std::atomic<bool> stop_requested_{false};
  bool stop_agreed_ = false;  // some rank asked to stop (distributed only)
};

}  // namespace gan::train
