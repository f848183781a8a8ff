// Algorithm 1 of the GAN paper, with run-folder output and checkpoints.
#include "gan/train/trainer.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/autograd.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/core/hash.h"
#include "gan/core/runtime.h"
#include "gan/data/dataset.h"
#include "gan/io/checkpoint.h"
#include "gan/io/metrics_log.h"
#include "gan/io/report.h"
#include "gan/io/run_dir.h"
#include "gan/losses/adversarial.h"
#include "gan/losses/penalties.h"
#include "gan/models/factory.h"
#include "gan/models/mlp.h"
#include "gan/models/mlp_passes.h"
#include "gan/models/prior.h"
#include "gan/train/distributed.h"
#include "gan/train/figures.h"
#include "gan/train/schedule.h"
#include "gan/train/snapshot.h"

namespace gan::train {
namespace {

using Clock = std::chrono::steady_clock;

// How long the other ranks of a job wait for rank 0's evaluation, sample
// grid and checkpoint at the end of an epoch (their exchanges' timeout is
// far shorter).
constexpr std::chrono::hours kRankZeroEpochEndTimeout{1};

// Salt for the fixed grid noise, so it is drawn from its own stream and
// never shifts the training stream.
constexpr uint64_t kFixedNoiseSalt = 0x6772696400000000ull;  // "grid"

// Turns off gradients of a module's parameters for one scope: during G's
// update, D's weights must receive no gradient (and need none computed).
class FrozenParameters {
 public:
  explicit FrozenParameters(torch::nn::Module& module)
      : params_(module.parameters()) {
    for (auto& p : params_) p.requires_grad_(false);
  }
  ~FrozenParameters() {
    for (auto& p : params_) p.requires_grad_(true);
  }

 private:
  std::vector<torch::Tensor> params_;
};

at::Generator device_generator(c10::Device device) {
  if (device.is_cpu()) return at::detail::getDefaultCPUGenerator();
  return at::globalContext().defaultGenerator(device);
}

torch::Tensor generator_state(c10::Device device) {
  auto generator = device_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_generator_state(c10::Device device, const torch::Tensor& state) {
  auto generator = device_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

// While alive, libtorch's default CPU generator draws from this rank's own
// stream, seeded for one phase of one step; then it goes back to the
// shared stream exactly where it was. In a distributed job the shared
// stream (latents, classes) stays in step on every rank, and so matches a
// single process's, while dropout masks and penalty mixes differ per rank
// and still follow the run's seed. Inactive alone, where everything comes
// from the one default stream as before.
class RankStream {
 public:
  RankStream(bool active, uint64_t seed) {
    if (!active) return;
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    shared_state_ = generator.get_state();
    generator.set_current_seed(seed);
  }
  ~RankStream() {
    if (!shared_state_.defined()) return;
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(shared_state_);
  }
  RankStream(const RankStream&) = delete;
  RankStream& operator=(const RankStream&) = delete;

 private:
  torch::Tensor shared_state_;
};

// The CPU threads of one worker: train.threads (0: every core) is the
// machine's total, shared by the workers on it.
int worker_threads(int64_t configured, int local_workers) {
  const int total =
      configured > 0 ? static_cast<int>(configured) : available_cores();
  return std::max(1, total / std::max(1, local_workers));
}

// Running sums of step statistics between two log lines.
struct Window {
  int64_t steps = 0;
  double loss_d = 0, loss_g = 0, d_real = 0, d_fake = 0;
  int64_t images = 0;
  Clock::time_point start = Clock::now();

  void add(const StepStats& s, int64_t images_in_step) {
    ++steps;
    loss_d += s.loss_d;
    loss_g += s.loss_g;
    d_real += s.d_real;
    d_fake += s.d_fake;
    images += images_in_step;
  }
  double rate() const {
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    return seconds > 0 ? images / seconds : 0.0;
  }
};

// Divergence checks: a NaN or an infinity stops the run before it reaches
// a log line or a checkpoint, so what the run folder holds stays good.
void check_losses(const StepStats& s) {
  const std::pair<const char*, double> losses[] = {{"D's loss", s.loss_d},
                                                   {"G's loss", s.loss_g}};
  for (const auto& [what, value] : losses) {
    if (!std::isfinite(value)) {
      throw Error(fmt::format(
          "training diverged at step {}: {} is {}; the run folder keeps its "
          "last good checkpoint; hint: lower optim.lr, then --resume",
          s.step, what, value));
    }
  }
}

void check_weights(torch::nn::Module& net, const char* name, int64_t step) {
  torch::NoGradGuard no_grad;
  // One reduction over every parameter; only a non-finite total (NaN, an
  // infinity, or a finite overflow) pays for the search by name.
  torch::Tensor total;
  for (const auto& p : net.parameters()) {
    const auto sum = p.sum(torch::kFloat64);
    total = total.defined() ? total + sum : sum;
  }
  if (!total.defined() || std::isfinite(total.item<double>())) return;
  for (const auto& p : net.named_parameters()) {
    if (!torch::isfinite(p.value()).all().item<bool>()) {
      throw Error(fmt::format(
          "training diverged at step {}: {}'s weights '{}' hold NaN or "
          "infinite values; the run folder keeps its last good checkpoint; "
          "hint: lower optim.lr, then --resume",
          step, name, p.key()));
    }
  }
}

std::string metrics_record(const StepStats& s) {
  nlohmann::json record = {
      {"step", s.step},
      {"epoch", s.epoch},
      {"loss_d", s.loss_d},
      {"loss_g", s.loss_g},
      {"d_real", s.d_real},
      {"d_fake", s.d_fake},
      {"lr", s.lr},
      {"momentum", s.momentum},
      {"images_per_second", s.images_per_second},
      {"time", static_cast<int64_t>(std::time(nullptr))},
  };
  return record.dump();
}

}  // namespace

Trainer::Trainer(Config config, data::Dataset train_data, c10::Device device,
                 std::shared_ptr<Communicator> communicator)
    : config_(std::move(config)),
      data_(std::move(train_data)),
      device_(device),
      sampler_(data_.size(), config_.train.batch_size,
               static_cast<uint64_t>(config_.train.seed)),
      communicator_(std::move(communicator)) {
  validate(config_);
  if (communicator_) {
    rank_ = communicator_->rank();
    world_size_ = communicator_->world_size();
  }
  if (config_.train.batch_size % world_size_ != 0) {
    throw Error(fmt::format(
        "train.batch_size = {} does not split over {} workers; expected a "
        "multiple of {} (it is the global batch: each worker takes "
        "batch_size / workers)",
        config_.train.batch_size, world_size_, world_size_));
  }
  if (world_size_ > 1 && !device_.is_cpu()) {
    // TODO(distributed): Gloo can all-reduce CUDA tensors through host
    // copies; untested here, so refused.
    throw Error(fmt::format(
        "train.device = {}: distributed training runs on the CPU only",
        config_.train.device));
  }
  configure_threads(worker_threads(
      config_.train.threads,
      communicator_ ? communicator_->options().local_world_size : 1));
  steps_per_epoch_ = sampler_.batches_per_epoch() / config_.train.d_steps;
  if (steps_per_epoch_ < 1) {
    throw Error(fmt::format(
        "train.d_steps = {} with train.batch_size = {} needs {} examples per "
        "step; the training split has {}",
        config_.train.d_steps, config_.train.batch_size,
        config_.train.d_steps * config_.train.batch_size, data_.size()));
  }

  // Weights, dropout masks and noise all come from the default generators.
  torch::manual_seed(static_cast<uint64_t>(config_.train.seed));
  const auto spec = models::data_spec(data_);
  generator_ = models::make_generator(config_.model, spec);
  discriminator_ = models::make_discriminator(config_.model, spec);
  models::init_from_data(config_.model, *generator_, data_);
  generator_->to(device_);
  discriminator_->to(device_);
  generator_->train();
  discriminator_->train();
  g_optimizer_ = make_optimizer(config_.optim, generator_->parameters());
  d_optimizer_ = make_optimizer(config_.optim, discriminator_->parameters());
  if (config_.train.ema_decay > 0) {
    ema_ = models::make_generator(config_.model, spec);
    ema_->to(device_);
    ema_->eval();
    torch::NoGradGuard no_grad;
    const auto from = generator_->named_parameters();
    for (auto& p : ema_->named_parameters()) p.value().copy_(from[p.key()]);
    const auto buffers = generator_->named_buffers();
    for (auto& b : ema_->named_buffers()) b.value().copy_(buffers[b.key()]);
  }

  // The grid's latents come from their own stream, so drawing them never
  // shifts the training stream. Conditional grids show one row per class.
  auto grid_stream = at::detail::createCPUGenerator(
      static_cast<uint64_t>(config_.train.seed) ^ kFixedNoiseSalt);
  int64_t grid_count = config_.log.grid_count;
  const int64_t classes = generator_->num_classes();
  if (classes > 0) {
    const int64_t per_row = std::max<int64_t>(1, grid_count / classes);
    grid_count = per_row * classes;
    fixed_labels_ = torch::arange(classes, torch::kInt64)
                        .repeat_interleave(per_row)
                        .to(device_);
  }
  fixed_noise_ =
      models::sample_prior(config_.model.prior, grid_count,
                           config_.model.latent_dim, torch::kCPU, grid_stream)
          .to(device_);

  // The hand-written passes, where they apply: they need no penalty's
  // double back-propagation.
  const bool bf16 = config_.train.precision == "bf16";
  if (config_.train.fast_path && config_.loss.gradient_penalty == 0 &&
      config_.loss.r1_penalty == 0 &&
      models::mlp_passes_apply(*generator_, *discriminator_)) {
    g_pass_ = std::make_unique<models::MlpGeneratorPass>(
        dynamic_cast<models::MlpGeneratorImpl&>(*generator_), bf16);
    d_pass_ = std::make_unique<models::MlpDiscriminatorPass>(
        dynamic_cast<models::MlpDiscriminatorImpl&>(*discriminator_), bf16);
    d_batch_ = torch::empty({0}, torch::kFloat32);
  } else if (bf16) {
    // TODO(bf16): autocast would bring bf16 to the autograd path (DCGAN),
    // but CPU autocast in libtorch 1.13 leaves batch norm and the losses
    // to the caller; not done yet.
    throw Error(
        "train.precision = \"bf16\" needs the MLP fast path: "
        "train.fast_path = true, an unconditional MLP pair with maxout D, "
        "no spectral norm or penalty, on the CPU");
  }

  // Prepared now, so that a missing extractor or split fails the start.
  // Only rank 0 evaluates: it alone writes the results.
  if (config_.eval.every_epochs > 0 && rank_ == 0) {
    evaluator_ = std::make_unique<PeriodicEvaluator>(config_, device_);
  }
}

models::Generator& Trainer::sampling_generator() {
  return ema_ ? *ema_ : *generator_;
}

torch::Tensor Trainer::random_labels(int64_t n) const {
  const int64_t classes = generator_->num_classes();
  if (classes == 0) return {};
  return torch::randint(classes, {n},
                        torch::TensorOptions(torch::kInt64).device(device_));
}

void Trainer::update_ema() {
  if (!ema_) return;
  torch::NoGradGuard no_grad;
  const double decay = config_.train.ema_decay;
  const auto params = generator_->parameters();
  auto averaged = ema_->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    averaged[i].mul_(decay).add_(params[i], 1.0 - decay);
  }
  // Normalisation statistics are not averaged: they follow G's own.
  const auto buffers = generator_->buffers();
  auto ema_buffers = ema_->buffers();
  for (size_t i = 0; i < buffers.size(); ++i) ema_buffers[i].copy_(buffers[i]);
}

Trainer::~Trainer() = default;

namespace {

// A fresh 64-bit seed from the default CPU generator, so hand-written
// dropout masks follow the run's seed and its checkpointed generator state.
uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get<at::CPUGeneratorImpl>()->random64();
}

// The loss and dL/dlogits for logits computed outside autograd: autograd
// runs on the logits alone, so every loss keeps its one definition.
std::pair<torch::Tensor, torch::Tensor> loss_and_grad(
    const torch::Tensor& logits,
    const std::function<torch::Tensor(const torch::Tensor&)>& loss_of) {
  auto leaf = logits.detach().requires_grad_(true);
  auto loss = loss_of(leaf);
  auto grad = torch::autograd::grad({loss}, {leaf})[0];
  return {loss.detach(), grad};
}

}  // namespace

std::array<torch::Tensor, 3> Trainer::fast_discriminator_step(
    const torch::Tensor& real) {
  // One D pass over real and generated examples together: the same math
  // as two passes (D has no batch statistics), in larger matrix products.
  const int64_t n = real.size(0);
  const int64_t width = real.numel() / n;
  d_batch_.resize_({2 * n, width});
  d_batch_.slice(0, 0, n).copy_(real.reshape({n, width}));
  const auto z = draw_latents(n * world_size_);
  g_pass_->forward(z, /*for_backward=*/false, d_batch_.slice(0, n, 2 * n));

  const auto logits = d_pass_->forward(d_batch_, rank_seed(draw_seed(), rank_));
  const auto& kind = config_.loss.kind;
  const auto [loss, grad] = loss_and_grad(logits, [&](const torch::Tensor& l) {
    return losses::discriminator_loss(kind, l.slice(0, 0, n),
                                      l.slice(0, n, 2 * n));
  });
  d_pass_->backward(grad, /*weights=*/true, /*input=*/false);
  average_gradients(*discriminator_, "D");
  d_optimizer_->step();
  return {loss, losses::mean_output(kind, logits.slice(0, 0, n)),
          losses::mean_output(kind, logits.slice(0, n, 2 * n))};
}

torch::Tensor Trainer::fast_generator_step(int64_t n) {
  const auto z = draw_latents(n);
  const auto fake = g_pass_->forward(z, /*for_backward=*/true);
  const auto logits = d_pass_->forward(fake, rank_seed(draw_seed(), rank_));
  const auto [loss, grad] = loss_and_grad(logits, [&](const torch::Tensor& l) {
    return losses::generator_loss(config_.loss.kind, l);
  });
  // D's weights are fixed here: only dL/dx flows back, into G.
  g_pass_->backward(d_pass_->backward(grad, /*weights=*/false,
                                      /*input=*/true));
  average_gradients(*generator_, "G");
  g_optimizer_->step();
  update_ema();
  return loss;
}

int64_t Trainer::total_steps() const {
  const int64_t total = config_.train.epochs * steps_per_epoch_;
  if (config_.train.max_steps > 0) {
    return std::min(total, config_.train.max_steps);
  }
  return total;
}

void Trainer::apply_schedules() {
  const double lr = learning_rate_at(config_.optim, step_);
  const double momentum = momentum_at(config_.optim, step_ / steps_per_epoch_);
  // D may learn at its own rate (two time-scale updates); the decay applies
  // to both alike.
  const double d_scale =
      config_.optim.d_lr > 0 ? config_.optim.d_lr / config_.optim.lr : 1.0;
  g_optimizer_->set_lr(lr);
  d_optimizer_->set_lr(lr * d_scale);
  for (auto* optimizer : {g_optimizer_.get(), d_optimizer_.get()}) {
    optimizer->set_momentum(momentum);
  }
}

std::array<torch::Tensor, 3> Trainer::discriminator_step(
    const torch::Tensor& real, const torch::Tensor& labels) {
  if (d_pass_) return fast_discriminator_step(real);
  // Fakes are made without a graph: this step updates D only.
  const int64_t n = real.size(0);
  const auto z = draw_latents(n * world_size_);
  const auto fake_labels = draw_labels(n * world_size_);
  RankStream own_draws(world_size_ > 1, rank_stream_seed(phase_++));
  torch::Tensor fake;
  {
    torch::NoGradGuard no_grad;
    fake = generator_->forward(z, fake_labels);
  }

  const auto& kind = config_.loss.kind;
  const auto real_logits = discriminator_->forward(real, labels);
  const auto fake_logits = discriminator_->forward(fake, fake_labels);
  auto loss = losses::discriminator_loss(kind, real_logits, fake_logits);
  if (config_.loss.gradient_penalty > 0) {
    // Real and fake of one pair share a class for conditional nets.
    const auto mixed_labels = labels.defined() ? labels : fake_labels;
    loss = loss + config_.loss.gradient_penalty *
                      losses::gradient_penalty(*discriminator_, real, fake,
                                               mixed_labels);
  }
  if (config_.loss.r1_penalty > 0) {
    loss = loss + config_.loss.r1_penalty *
                      losses::r1_penalty(*discriminator_, real, labels);
  }
  d_optimizer_->zero_grad();
  loss.backward();
  average_gradients(*discriminator_, "D");
  d_optimizer_->step();

  return {loss.detach(), losses::mean_output(kind, real_logits),
          losses::mean_output(kind, fake_logits)};
}

torch::Tensor Trainer::generator_step(int64_t n) {
  if (g_pass_) return fast_generator_step(n);
  const auto z = draw_latents(n);
  const auto labels = draw_labels(n);
  torch::Tensor loss;
  {
    RankStream own_draws(world_size_ > 1, rank_stream_seed(phase_++));
    FrozenParameters frozen(*discriminator_);
    const auto logits =
        discriminator_->forward(generator_->forward(z, labels), labels);
    loss = losses::generator_loss(config_.loss.kind, logits);
    g_optimizer_->zero_grad();
    loss.backward();
  }
  average_gradients(*generator_, "G");
  g_optimizer_->step();
  update_ema();
  return loss.detach();
}

StepStats Trainer::step() {
  apply_schedules();
  const int64_t k = config_.train.d_steps;
  const int64_t epoch = step_ / steps_per_epoch_;
  const int64_t first_batch = (step_ % steps_per_epoch_) * k;
  phase_ = 0;

  // k discriminator updates, each on the next real minibatch (this rank's
  // share of it).
  StepStats stats;
  for (int64_t i = 0; i < k; ++i) {
    const auto indices = local_slice(sampler_.batch(epoch, first_batch + i));
    const auto labels = generator_->num_classes() > 0
                            ? data_.batch_labels(indices, device_)
                            : torch::Tensor();
    const auto [loss, d_real, d_fake] =
        discriminator_step(data_.batch(indices, device_), labels);
    stats.loss_d += loss.item<double>() / k;
    stats.d_real += d_real.item<double>() / k;
    stats.d_fake += d_fake.item<double>() / k;
  }

  // One generator update.
  stats.loss_g = generator_step(config_.train.batch_size).item<double>();

  ++step_;
  stats.step = step_;
  stats.epoch = epoch;
  stats.lr = learning_rate_at(config_.optim, step_ - 1);
  stats.momentum = momentum_at(config_.optim, epoch);
  reduce_stats(stats);
  check_losses(stats);
  return stats;
}

torch::Tensor Trainer::local_slice(const torch::Tensor& global) const {
  if (world_size_ == 1 || !global.defined()) return global;
  const int64_t n = global.size(0) / world_size_;
  return global.slice(0, rank_ * n, (rank_ + 1) * n);
}

torch::Tensor Trainer::draw_latents(int64_t n_global) {
  return local_slice(models::sample_prior(config_.model.prior, n_global,
                                          config_.model.latent_dim, device_));
}

torch::Tensor Trainer::draw_labels(int64_t n_global) {
  return local_slice(random_labels(n_global));
}

uint64_t Trainer::rank_stream_seed(int64_t phase) const {
  const auto seed = static_cast<uint64_t>(config_.train.seed);
  return splitmix64(rank_seed(seed, rank_) ^
                    splitmix64(static_cast<uint64_t>(step_) * 64 +
                               static_cast<uint64_t>(phase)));
}

void Trainer::average_gradients(torch::nn::Module& module, const char* name) {
  if (world_size_ == 1) return;
  // TODO(distributed): the buckets go out once backward has finished; they
  // overlap each other, not the backward pass. Overlapping would need
  // autograd hooks per parameter, and points of their own in the fast
  // path's hand-written backward.
  // A parameter without a gradient has none on every rank (the graphs are
  // the same), so skipping it keeps the ranks in step.
  std::vector<torch::Tensor> grads;
  for (const auto& p : module.parameters()) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  communicator_->average(
      grads, fmt::format("{}'s gradients at step {}", name, step_ + 1));
}

void Trainer::reduce_stats(StepStats& stats) {
  if (world_size_ == 1) return;
  // Means of the losses and outputs, and the largest stop request: every
  // rank stops after the same step, and a NaN on one stops all.
  auto values = torch::tensor(
      {stats.loss_d, stats.loss_g, stats.d_real, stats.d_fake,
       stop_requested_.load() ? static_cast<double>(world_size_) : 0.0},
      torch::kFloat64);
  communicator_->average({values},
                         fmt::format("the statistics of step {}", step_));
  const auto v = values.accessor<double, 1>();
  stats.loss_d = v[0];
  stats.loss_g = v[1];
  stats.d_real = v[2];
  stats.d_fake = v[3];
  stop_agreed_ = v[4] > 0;
}

void Trainer::synchronize_weights() {
  if (world_size_ == 1) return;
  std::vector<torch::Tensor> tensors;
  for (auto* net : {static_cast<torch::nn::Module*>(generator_.get()),
                    static_cast<torch::nn::Module*>(discriminator_.get()),
                    static_cast<torch::nn::Module*>(ema_.get())}) {
    if (net == nullptr) continue;
    for (const auto& p : net->parameters()) tensors.push_back(p);
    for (const auto& b : net->buffers()) tensors.push_back(b);
  }
  communicator_->broadcast(tensors, "the weights of rank 0");
}

void Trainer::check_weights_finite() {
  check_weights(*generator_, "G", step_);
  check_weights(*discriminator_, "D", step_);
}

void Trainer::write_figures(io::RunDir& run, int64_t epochs_done,
                            TrainObserver* observer) {
  const FigureContext context{sampling_generator(),
                              *discriminator_,
                              config_.model.prior,
                              fixed_noise_,
                              fixed_labels_,
                              device_,
                              losses::is_probabilistic(config_.loss.kind)};
  const auto files = write_progress_figure(run, epochs_done, step_,
                                           config_.data, data_, context);
  if (observer) {
    for (const auto& file : files) observer->on_file(file);
  }
}

void Trainer::checkpoint_run(io::RunDir& run, TrainObserver* observer) {
  const auto path = run.step_checkpoint(step_);
  save_checkpoint(path);
  run.publish_checkpoint(path, config_.log.keep_checkpoints);
  if (observer) observer->on_file(path);
}

void Trainer::run_evaluation(io::MetricsLog* metrics, TrainObserver* observer) {
  const auto scores = evaluator_->evaluate(sampling_generator());
  if (metrics) {
    nlohmann::json record = {{"step", step_},
                             {"epoch", step_ / steps_per_epoch_},
                             {"time", static_cast<int64_t>(std::time(nullptr))},
                             {"eval", scores}};
    metrics->append(record.dump());
  }
  if (observer) observer->on_eval(step_, scores);
}

void Trainer::fit(io::RunDir* run, TrainObserver* observer) {
  synchronize_weights();
  const int64_t total = total_steps();
  std::unique_ptr<io::MetricsLog> metrics;
  if (run) {
    write_file_atomic(run->config_file(), to_toml(config_));
    // Records past the checkpoint we resumed from would be logged twice.
    io::MetricsLog::truncate_after_step(run->metrics_file(), step_);
    io::MetricsLog::truncate_after_step(run->figure1_log(), step_);
    metrics = std::make_unique<io::MetricsLog>(run->metrics_file());
    if (step_ == 0 && config_.log.grid_every_epochs > 0) {
      write_figures(*run, 0, observer);
    }
  }
  if (observer) observer->on_start(step_, total);

  const int64_t images_per_step =
      config_.train.batch_size * config_.train.d_steps;
  int64_t saved_at = run ? step_ : -1;
  Window window;
  double rate = 0;
  stop_requested_.store(false);
  stop_agreed_ = false;
  // Alone, a stop request ends the loop at once; in a job, only once the
  // ranks have agreed on it (in step()), so that all stop after one step.
  const auto stopping = [&] {
    return world_size_ > 1 ? stop_agreed_ : stop_requested_.load();
  };
  while (step_ < total && !stopping()) {
    const StepStats stats = step();
    window.add(stats, images_per_step);
    rate = window.rate() > 0 ? window.rate() : rate;
    if (observer) observer->on_step(step_, total, stats.epoch, rate);

    // A diverged net reaches no log line, figure or checkpoint.
    const bool log_due = step_ % config_.log.every_steps == 0 || step_ == total;
    const bool epoch_end = step_ % steps_per_epoch_ == 0;
    if (log_due || epoch_end) check_weights_finite();

    // A log line: means over the window.
    if (log_due) {
      StepStats mean = stats;
      mean.loss_d = window.loss_d / window.steps;
      mean.loss_g = window.loss_g / window.steps;
      mean.d_real = window.d_real / window.steps;
      mean.d_fake = window.d_fake / window.steps;
      mean.images_per_second = rate;
      if (metrics) metrics->append(metrics_record(mean));
      if (observer) observer->on_log(mean);
      window = Window();
    }

    // End of an epoch: evaluation, sample grid and checkpoint when due.
    if (evaluator_ && epoch_end && evaluator_->due(step_ / steps_per_epoch_)) {
      run_evaluation(metrics.get(), observer);
    }
    if (run && epoch_end) {
      const int64_t epochs_done = step_ / steps_per_epoch_;
      const auto& log = config_.log;
      if (log.grid_every_epochs > 0 &&
          epochs_done % log.grid_every_epochs == 0) {
        write_figures(*run, epochs_done, observer);
      }
      if (log.checkpoint_every_epochs > 0 &&
          epochs_done % log.checkpoint_every_epochs == 0) {
        checkpoint_run(*run, observer);
        saved_at = step_;
      }
    }
    // Rank 0 alone evaluates and writes; the others wait for it here,
    // where the exchanges' short timeout does not apply.
    if (world_size_ > 1 && epoch_end) {
      communicator_->wait_for_rank_zero(fmt::format("epoch-end-{}", step_),
                                        kRankZeroEpochEndTimeout);
    }
  }

  if (run && saved_at != step_) {
    check_weights_finite();
    checkpoint_run(*run, observer);
  }
  if (run) {
    // The checkpoint is safe: a report that cannot be written is a warning.
    try {
      io::write_report(*run, run->report_file());
      if (observer) observer->on_file(run->report_file());
    } catch (const Error& e) {
      if (observer) observer->on_warning(e.what());
    }
  }
}

void Trainer::save_checkpoint(const std::filesystem::path& path) const {
  io::NamedTensors tensors;
  io::add_module_tensors(tensors, kGeneratorKey, *generator_);
  io::add_module_tensors(tensors, kDiscriminatorKey, *discriminator_);
  if (ema_) io::add_module_tensors(tensors, kGeneratorEmaKey, *ema_);
  g_optimizer_->save(kGeneratorOptimizerKey, tensors);
  d_optimizer_->save(kDiscriminatorOptimizerKey, tensors);
  tensors.emplace_back(std::string(kRngKey) + ".cpu",
                       generator_state(torch::kCPU));
  if (!device_.is_cpu()) {
    tensors.emplace_back(std::string(kRngKey) + ".device",
                         generator_state(device_));
  }

  CheckpointInfo info;
  info.config = config_;
  info.spec = models::data_spec(data_);
  info.step = step_;
  info.epochs_done = step_ / steps_per_epoch_;
  io::write_checkpoint(path, encode_checkpoint_header(info), tensors);
}

void Trainer::load_checkpoint(const std::filesystem::path& path) {
  const auto contents = io::read_checkpoint(path);
  const std::string source = path.string();
  const auto info = decode_checkpoint_header(contents.header_json, source);
  const auto spec = models::data_spec(data_);
  if (info.spec.sample_shape != spec.sample_shape) {
    throw Error(fmt::format(
        "{}: the checkpoint's nets take examples of shape [{}], this "
        "dataset's are [{}]",
        source, fmt::join(info.spec.sample_shape, ", "),
        fmt::join(spec.sample_shape, ", ")));
  }

  const auto& tensors = contents.tensors;
  io::load_module_tensors(tensors, kGeneratorKey, *generator_, source);
  io::load_module_tensors(tensors, kDiscriminatorKey, *discriminator_, source);
  if (ema_) {
    // A run that starts averaging on resume starts from G's weights.
    const bool saved = io::has_tensors(tensors, kGeneratorEmaKey);
    io::load_module_tensors(tensors, saved ? kGeneratorEmaKey : kGeneratorKey,
                            *ema_, source);
  }
  const std::pair<const char*, Optimizer*> optimizers[] = {
      {kGeneratorOptimizerKey, g_optimizer_.get()},
      {kDiscriminatorOptimizerKey, d_optimizer_.get()}};
  for (const auto& [key, optimizer] : optimizers) {
    try {
      optimizer->load(key, tensors);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", source, e.what()));
    }
  }

  // The random streams are restored when the file holds them; a run
  // resumed on another device starts that device's stream afresh.
  const auto restore = [&](const std::string& key, c10::Device device) {
    const auto it = tensors.find(key);
    if (it == tensors.end()) return;
    try {
      set_generator_state(device, it->second);
    } catch (const std::exception& e) {
      throw Error(fmt::format("{}: '{}' is not a random generator state ({})",
                              source, key, describe(e)));
    }
  };
  restore(std::string(kRngKey) + ".cpu", torch::kCPU);
  if (!device_.is_cpu()) restore(std::string(kRngKey) + ".device", device_);
  step_ = info.step;
}

}  // namespace gan::train
