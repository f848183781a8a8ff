// `gan classifier train`: trains gan's built-in feature extractor, a small
// CNN classifier, on a labelled dataset; its features are the space of
// "domain FID" (gan eval --fid --extractor FILE).
#include <memory>

#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "gan/data/load.h"
#include "gan/eval/classifier.h"
#include "gan/train/config.h"

namespace gan::cli {
namespace {

struct ClassifierOptions {
  std::string config_file;
  std::vector<std::string> overrides;
  std::string data_path;
  std::string out;
  eval::ClassifierConfig config;
  int threads = 0;
  std::string device = "cpu";
};

void run_classifier_train(const ClassifierOptions& o) {
  train::Config config;
  if (!o.config_file.empty()) config = train::load_config(o.config_file);
  for (const auto& assignment : o.overrides) {
    train::apply_override(config, assignment);
  }
  if (!o.data_path.empty()) config.data.path = o.data_path;
  const auto device = set_up_process(o.threads, o.device);
  auto on_warning = [](const std::string& w) { warn(w); };
  const auto train_data =
      data::load_dataset(config.data, data::Split::kTrain, on_warning);
  const auto test_data =
      data::load_dataset(config.data, data::Split::kTest, on_warning);

  const auto report = eval::train_classifier(
      train_data, test_data, o.config, device, o.out,
      [](int64_t epoch, double loss) {
        fmt::print("epoch {}  loss {:.4f}\n", epoch, loss);
        std::fflush(stdout);
      });
  fmt::print(
      "test accuracy {:.2f}% on {} images; classifier written to {}\n",
      100 * report.test_accuracy, report.test_examples, o.out);
}

}  // namespace

void add_classifier_command(CLI::App& app) {
  auto* group = app.add_subcommand(
      "classifier", "The built-in feature extractor for domain FID");
  group->require_subcommand(1);
  auto o = std::make_shared<ClassifierOptions>();
  auto* cmd = group->add_subcommand(
      "train",
      "Train a small CNN classifier on a labelled dataset (default: "
      "Fashion-MNIST) for gan eval --extractor");
  cmd->add_option("--out", o->out, "classifier file to write")->required();
  cmd->add_option("--config", o->config_file,
                  "take the data settings from this training config");
  cmd->add_option("--set", o->overrides, "override a config key (data.*)");
  cmd->add_option("--data", o->data_path, "= --set data.path=PATH");
  cmd->add_option("--epochs", o->config.epochs, "passes over the data")
      ->capture_default_str();
  cmd->add_option("--batch-size", o->config.batch_size, "minibatch size")
      ->capture_default_str();
  cmd->add_option("--seed", o->config.seed, "seed")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all)");
  cmd->add_option("--device", o->device, "cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->callback([o] { run_classifier_train(*o); });
}

}  // namespace gan::cli
