// `gan train`: build a config from a file and flags, load the data, train,
// and leave a run folder (or continue one with --resume).
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/io/run_dir.h"
#include "gan/train/config.h"
#include "gan/train/distributed.h"
#include "gan/train/snapshot.h"
#include "gan/train/stop_signals.h"
#include "gan/train/trainer.h"
#include "launch.h"
#include "progress.h"

namespace gan::cli {
namespace {

struct TrainOptions {
  std::string config_file;
  std::string out;
  std::string resume;
  std::vector<std::string> overrides;
  std::optional<int64_t> epochs, seed, threads, batch_size, max_steps;
  std::optional<std::string> device;
  bool quiet = false;
  bool help_config = false;
  // Distributed training (docs/distributed.md).
  int nproc = 1;
  int master_port = 0;
  double dist_timeout = 60;
};

// A worker that fails stops its peers within the timeout; the launcher
// gives them this long to end on SIGTERM before it kills them.
constexpr std::chrono::seconds kWorkerGrace{10};

// Flags that are shorthands for config keys, after the --set overrides so
// that they win.
std::vector<std::string> flag_overrides(const TrainOptions& o) {
  std::vector<std::string> out = o.overrides;
  auto add = [&](const char* key, const auto& value) {
    if (value) out.push_back(fmt::format("{}={}", key, *value));
  };
  add("train.epochs", o.epochs);
  add("train.seed", o.seed);
  add("train.threads", o.threads);
  add("train.batch_size", o.batch_size);
  add("train.max_steps", o.max_steps);
  add("train.device", o.device);
  return out;
}

// The run's config: from `resume_from` (a checkpoint) when resuming, else
// from --config or the built-in defaults; then the overrides.
train::Config build_config(const TrainOptions& o,
                           const std::filesystem::path& resume_from) {
  train::Config config;
  if (!resume_from.empty()) {
    config = train::read_checkpoint_info(resume_from).config;
    // A step limit bounds one invocation: a resumed run goes on to its
    // epochs unless the limit is given again.
    config.train.max_steps = 0;
  } else if (!o.config_file.empty()) {
    config = train::load_config(o.config_file);
  }
  for (const auto& assignment : flag_overrides(o)) {
    train::apply_override(config, assignment);
  }
  train::validate(config);
  return config;
}

void print_config_keys() {
  for (const auto& key : train::describe_keys()) {
    fmt::print("{:<34} {:<22} {}\n", key.key, key.value, key.doc);
  }
}

// This process's place in a distributed job (from torchrun's variables,
// or those --nproc sets), joined; null when it trains alone.
std::shared_ptr<train::Communicator> join_job(const TrainOptions& o) {
  auto options = train::distributed_options_from_env();
  if (!options) return nullptr;
  if (o.nproc > 1) {
    throw Error(
        "--nproc with RANK set: the launcher (torchrun) already started the "
        "workers; drop --nproc");
  }
  follow_launcher();
  if (!(o.dist_timeout > 0)) {
    throw Error(
        fmt::format("--dist-timeout {}: expected seconds > 0", o.dist_timeout));
  }
  options->timeout =
      std::chrono::milliseconds(static_cast<int64_t>(o.dist_timeout * 1000));
  if (options->world_size == 1) return nullptr;
  return std::make_shared<train::Communicator>(*options);
}

void train_worker(const TrainOptions& o,
                  const std::shared_ptr<train::Communicator>& communicator) {
  // Only rank 0 touches the run folder: it locks a resumed run and picks
  // its newest checkpoint that passes its checks (broken ones are moved
  // aside); the others read the one it names.
  const bool writer = !communicator || communicator->rank() == 0;
  std::optional<io::RunDir> run;
  std::filesystem::path resume_from;
  if (!o.resume.empty()) {
    if (writer) {
      run = io::RunDir::open(o.resume);
      resume_from =
          run->newest_good_checkpoint([](const std::string& w) { warn(w); });
    }
    // TODO(distributed): the other ranks open rank 0's checkpoint by its
    // path, so a job on several machines resumes only from a folder all of
    // them see (a shared file system); sending the file's bytes instead
    // would lift that.
    if (communicator) {
      resume_from = communicator->share("resume_from", resume_from.string());
    }
  }
  const auto config = build_config(o, resume_from);
  const auto device = set_up_process(static_cast<int>(config.train.threads),
                                     config.train.device);

  // Everything that can fail on bad input fails before a new run folder is
  // made, so a failed start leaves nothing behind.
  auto train_data = data::load_dataset(config.data, data::Split::kTrain,
                                       [](const std::string& w) { warn(w); });
  train::Trainer trainer(config, std::move(train_data), device, communicator);
  if (!resume_from.empty()) {
    trainer.load_checkpoint(resume_from);
  } else if (writer) {
    run = io::RunDir::create(
        !o.out.empty() ? o.out
                       : fmt::format("runs/{:%Y%m%d-%H%M%S}",
                                     fmt::localtime(std::time(nullptr))));
  }

  ConsoleObserver console(trainer.steps_per_epoch(), config.train.epochs,
                          o.quiet || !writer);
  const auto start = std::chrono::steady_clock::now();
  const int64_t first_step = trainer.steps_done();
  const int64_t first_bytes = communicator ? communicator->bytes_averaged() : 0;
  bool stopped_by_signal = false;
  {
    train::StopOnSignals stop_on_signals(trainer);
    trainer.fit(writer ? &*run : nullptr, writer ? &console : nullptr);
    stopped_by_signal = stop_on_signals.received();
  }
  console.clear_bar();
  if (!writer) return;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const int64_t steps = trainer.steps_done() - first_step;
  const double images = static_cast<double>(steps) * config.train.batch_size *
                        config.train.d_steps;
  if (stopped_by_signal) {
    fmt::print(
        "stopped at step {}; checkpoint saved; continue with: gan "
        "train --resume {}\n",
        trainer.steps_done(), run->root().string());
  }
  fmt::print("trained {} steps in {} ({:.0f} images/s); run folder: {}\n",
             steps, format_duration(seconds),
             seconds > 0 ? images / seconds : 0.0, run->root().string());
  fmt::print("latest checkpoint: {}\n", run->latest_checkpoint().string());
  if (communicator && steps > 0) {
    const double bytes =
        static_cast<double>(communicator->bytes_averaged() - first_bytes) /
        static_cast<double>(steps);
    fmt::print("{} workers; each all-reduced {:.3f} MB per step\n",
               communicator->world_size(), bytes / 1e6);
  }
}

void run_train(const TrainOptions& o) {
  if (o.help_config) {
    print_config_keys();
    return;
  }
  if (o.nproc > 1 && std::getenv("RANK") == nullptr) {
    run_local_workers(o.nproc, o.master_port, kWorkerGrace);
    return;
  }
  const auto communicator = join_job(o);
  try {
    train_worker(o, communicator);
  } catch (const Error& e) {
    // Every worker reports; its rank says which.
    const std::string message = e.what();
    if (!communicator || message.rfind("rank ", 0) == 0) throw;
    throw Error(fmt::format("rank {}: {}", communicator->rank(), message));
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train a GAN (the paper's Algorithm 1) and write a run folder: "
      "config.toml, metrics.jsonl, samples/epoch-*.png, "
      "checkpoints/latest.ckpt");
  auto* config_opt = cmd->add_option(
      "--config", options->config_file,
      "TOML config file (default: built-in defaults, the paper's "
      "Fashion-MNIST run)");
  auto* out_opt = cmd->add_option(
      "--out", options->out, "run folder to create (default: runs/DATE-TIME)");
  cmd->add_option("--resume", options->resume,
                  "continue the run in this folder from its newest valid "
                  "checkpoint (its config, plus any overrides given; "
                  "train.max_steps is not carried over)")
      ->excludes(config_opt)
      ->excludes(out_opt);
  cmd->add_option("--set", options->overrides,
                  "override a config key, e.g. --set optim.lr=0.05 "
                  "(repeatable; see --help-config)");
  cmd->add_option("--epochs", options->epochs, "= --set train.epochs=N");
  cmd->add_option("--seed", options->seed, "= --set train.seed=S");
  cmd->add_option("--threads", options->threads,
                  "= --set train.threads=N (0: every core)");
  cmd->add_option("--batch-size", options->batch_size,
                  "= --set train.batch_size=N");
  cmd->add_option("--max-steps", options->max_steps,
                  "= --set train.max_steps=N");
  cmd->add_option("--device", options->device, "= --set train.device=D");
  cmd->add_flag("--quiet", options->quiet, "no progress bar or log lines");
  cmd->add_option("--nproc", options->nproc,
                  "train with N worker processes on this machine (data "
                  "parallel over Gloo; train.batch_size is the global batch, "
                  "train.threads the machine's; see docs/distributed.md)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--master-port", options->master_port,
                  "with --nproc: the port of rank 0's store (default 0: any "
                  "free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--dist-timeout", options->dist_timeout,
                  "seconds a worker waits for the others (joining, and every "
                  "exchange) before it stops with an error (default 60)");
  cmd->add_flag("--help-config", options->help_config,
                "list every config key with its default and exit");
  cmd->callback([options] { run_train(*options); });
}

}  // namespace gan::cli
