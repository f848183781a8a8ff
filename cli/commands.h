// The `gan` command's subcommands. Each file registers one subcommand on the
// application; the command line only parses, reports and calls the library.
#pragma once

#include <CLI/CLI.hpp>

namespace gan::cli {

void add_train_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_classifier_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_export_command(CLI::App& app);

}  // namespace gan::cli
