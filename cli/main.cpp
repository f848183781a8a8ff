// gan: train generative adversarial networks and use their generators.
//
//   gan train   fit a GAN (the paper's Algorithm 1) and write a run folder
//   gan sample  draw samples or latent interpolations from a checkpoint
//   gan eval    score a generator: FID, KID, precision/recall, Inception
//               Score, Parzen log-likelihood, mode coverage, nearest images
//   gan classifier train   the built-in feature extractor for domain FID
//   gan report  write a run folder's HTML report
//   gan export  a generator as safetensors + JSON, to rebuild elsewhere
//
// Every error ends here: one line on standard error, exit status 1.
#include <csignal>
#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.h"
#include "gan/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"gan: generative adversarial networks in C++", "gan"};
  app.require_subcommand(1);
  app.fallthrough(false);
  gan::cli::add_train_command(app);
  gan::cli::add_sample_command(app);
  gan::cli::add_eval_command(app);
  gan::cli::add_classifier_command(app);
  gan::cli::add_report_command(app);
  gan::cli::add_export_command(app);

  // Past a file-size limit (ulimit -f), a write fails with EFBIG and is
  // reported like a full disk, instead of the signal ending the process.
  std::signal(SIGXFSZ, SIG_IGN);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    fmt::print(stderr, "gan: error: {}; see gan --help\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "gan: error: {}\n", gan::describe(e));
    return 1;
  }
  return 0;
}
