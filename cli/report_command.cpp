// `gan report`: writes a run folder's self-contained HTML report (charts of
// the losses and evaluations, sample grids, figures, config).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "gan/io/report.h"
#include "gan/io/run_dir.h"

namespace gan::cli {
namespace {

struct ReportOptions {
  std::string dir;
  std::string out;  // empty: DIR/report.html
};

void run_report(const ReportOptions& o) {
  const auto run = io::RunDir::at(o.dir);
  const std::filesystem::path out =
      o.out.empty() ? run.report_file() : std::filesystem::path(o.out);
  io::write_report(run, out);
  fmt::print("wrote {}\n", out.string());
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "Write a run folder's report: one self-contained HTML page");
  cmd->add_option("dir", options->dir, "the run folder")->required();
  cmd->add_option("--out", options->out,
                  "the HTML file to write (default: DIR/report.html)");
  cmd->callback([options] { run_report(*options); });
}

}  // namespace gan::cli
