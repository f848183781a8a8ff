// The run folder: everything one training run leaves behind.
//   config.toml                the configuration actually used
//   metrics.jsonl              one JSON object per logged step
//   samples/epoch-0001.png     grids from one fixed noise batch (toy data:
//                              scatter plots, or Figure 1 panels with
//                              samples/figure1.png and its figure1.jsonl)
//   checkpoints/step-*.ckpt    the newest few checkpoints
//   checkpoints/latest.ckpt    the newest checkpoint (stable name)
//   figures/*.png              the paper's figures, when made (optional)
//   report.html                the run's report (gan report)
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace gan::io {

class RunDir {
 public:
  // Prepares `root` for a new run, creating it if needed. Throws gan::Error
  // when it cannot be created or written, or when it already holds a run
  // (a config.toml or checkpoints), so that no run is overwritten.
  static RunDir create(const std::filesystem::path& root);

  // Opens the existing run at `root` to resume it. Throws gan::Error when
  // it holds no latest checkpoint or is not writable.
  static RunDir open(const std::filesystem::path& root);

  // Refers to the folder at `root` as it is, for reading: creates, checks
  // and writes nothing, so it never throws.
  static RunDir at(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config_file() const { return root_ / "config.toml"; }
  std::filesystem::path metrics_file() const {
    return root_ / "metrics.jsonl";
  }
  std::filesystem::path samples_dir() const { return root_ / "samples"; }
  std::filesystem::path checkpoints_dir() const {
    return root_ / "checkpoints";
  }
  std::filesystem::path latest_checkpoint() const {
    return checkpoints_dir() / "latest.ckpt";
  }
  std::filesystem::path step_checkpoint(int64_t step) const;
  // The data behind Figure 1 of 1-D toy runs, one JSON object per panel.
  std::filesystem::path figure1_log() const {
    return samples_dir() / "figure1.jsonl";
  }
  std::filesystem::path grid_file(int64_t epoch) const;
  std::filesystem::path figures_dir() const { return root_ / "figures"; }
  std::filesystem::path report_file() const { return root_ / "report.html"; }

  // Makes `checkpoint` (a step checkpoint just written) the latest one, then
  // deletes all but the newest `keep` step checkpoints.
  void publish_checkpoint(const std::filesystem::path& checkpoint,
                          int64_t keep) const;

  // Step checkpoints present, oldest first.
  std::vector<std::filesystem::path> step_checkpoints() const;

 private:
  explicit RunDir(std::filesystem::path root);
  std::filesystem::path root_;
};

// The checkpoint a --checkpoint argument names: a file as it is, a run
// folder as its latest checkpoint. Throws gan::Error when neither exists.
std::filesystem::path resolve_checkpoint(const std::filesystem::path& path);

}  // namespace gan::io
