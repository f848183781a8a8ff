// `gan export`: a checkpoint's generator as safetensors weights plus a JSON
// description, to rebuild it outside gan (docs/export.md).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "gan/train/export.h"
#include "gan/train/snapshot.h"

namespace gan::cli {
namespace {

struct ExportOptions {
  std::string checkpoint;
  std::string out;
  bool raw = false;
};

void run_export(const ExportOptions& o) {
  // The export holds CPU tensors whatever device trained the run.
  const auto loaded = train::load_generator(o.checkpoint, torch::kCPU, o.raw);
  const auto files = train::export_generator(loaded, o.out);
  fmt::print("wrote {} ({} weights)\n", files.weights.string(),
             loaded.averaged ? "moving-average" : "trained");
  fmt::print("wrote {}\n", files.description.string());
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand(
      "export",
      "Write a trained generator as generator.safetensors and "
      "generator.json, to rebuild it outside gan");
  cmd->add_option("--checkpoint", options->checkpoint,
                  "checkpoint file, or a run folder (its latest checkpoint)")
      ->required();
  cmd->add_option("--out", options->out,
                  "folder to write generator.safetensors and generator.json "
                  "into (created when missing)")
      ->required();
  cmd->add_flag("--raw", options->raw,
                "export G's trained weights even when the run kept a moving "
                "average of them");
  cmd->callback([options] { run_export(*options); });
}

}  // namespace gan::cli
