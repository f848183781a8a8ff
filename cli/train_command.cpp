// `gan train`: build a config from a file and flags, load the data, train,
// and leave a run folder (or continue one with --resume).
#include <atomic>
#include <chrono>
#include <csignal>
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
#include "gan/train/snapshot.h"
#include "gan/train/trainer.h"
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
};

// SIGINT/SIGTERM ask the trainer to stop at the next step boundary, where
// it checkpoints; a second SIGINT ends the process at once.
train::Trainer* g_trainer = nullptr;
std::atomic<int> g_signals{0};

extern "C" void on_signal(int signal) {
  if (++g_signals > 1 && signal == SIGINT) std::_Exit(130);
  if (g_trainer) g_trainer->request_stop();
}

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

void run_train(const TrainOptions& o) {
  if (o.help_config) {
    print_config_keys();
    return;
  }
  // A resumed run is locked first, then continues from its newest
  // checkpoint that passes its checks (broken ones are moved aside).
  std::optional<io::RunDir> run;
  std::filesystem::path resume_from;
  if (!o.resume.empty()) {
    run = io::RunDir::open(o.resume);
    resume_from =
        run->newest_good_checkpoint([](const std::string& w) { warn(w); });
  }
  const auto config = build_config(o, resume_from);
  const auto device = set_up_process(static_cast<int>(config.train.threads),
                                     config.train.device);

  // Everything that can fail on bad input fails before a new run folder is
  // made, so a failed start leaves nothing behind.
  auto train_data = data::load_dataset(config.data, data::Split::kTrain,
                                       [](const std::string& w) { warn(w); });
  train::Trainer trainer(config, std::move(train_data), device);
  if (run) {
    trainer.load_checkpoint(resume_from);
  } else {
    run = io::RunDir::create(
        !o.out.empty() ? o.out
                       : fmt::format("runs/{:%Y%m%d-%H%M%S}",
                                     fmt::localtime(std::time(nullptr))));
  }

  ConsoleObserver console(trainer.steps_per_epoch(), config.train.epochs,
                          o.quiet);
  g_trainer = &trainer;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto start = std::chrono::steady_clock::now();
  const int64_t first_step = trainer.steps_done();
  trainer.fit(&*run, &console);
  g_trainer = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  console.clear_bar();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const int64_t steps = trainer.steps_done() - first_step;
  const double images = static_cast<double>(steps) * config.train.batch_size *
                        config.train.d_steps;
  if (g_signals > 0) {
    fmt::print(
        "stopped at step {}; checkpoint saved; continue with: gan "
        "train --resume {}\n",
        trainer.steps_done(), run->root().string());
  }
  fmt::print("trained {} steps in {} ({:.0f} images/s); run folder: {}\n",
             steps, format_duration(seconds),
             seconds > 0 ? images / seconds : 0.0, run->root().string());
  fmt::print("latest checkpoint: {}\n", run->latest_checkpoint().string());
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
  cmd->add_flag("--help-config", options->help_config,
                "list every config key with its default and exit");
  cmd->callback([options] { run_train(*options); });
}

}  // namespace gan::cli
