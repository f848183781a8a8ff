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
//   run.lock                   locked while a process trains in the folder
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gan::io {

// A RunDir from create() or open() holds the folder's lock (an flock on
// run.lock, which the kernel drops when the process ends, however it ends)
// until it is destroyed, so two processes never train in one folder. It is
// movable, not copyable.
class RunDir {
 public:
  // Prepares `root` for a new run, creating it if needed, and locks it.
  // Throws gan::Error when it cannot be created or written, when another
  // process holds its lock, or when it already holds a run (a config.toml
  // or checkpoints), so that no run is overwritten.
  static RunDir create(const std::filesystem::path& root);

  // Opens and locks the existing run at `root` to resume it, and deletes
  // the temporary files a killed process may have left. Throws gan::Error
  // when it holds no checkpoint, is not writable or is locked by another
  // process.
  static RunDir open(const std::filesystem::path& root);

  // Refers to the folder at `root` as it is, for reading: creates, checks,
  // locks and writes nothing, so it never throws.
  static RunDir at(const std::filesystem::path& root);

  RunDir(RunDir&& other) noexcept;
  RunDir& operator=(RunDir&& other) noexcept;
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;
  ~RunDir();

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config_file() const { return root_ / "config.toml"; }
  std::filesystem::path metrics_file() const { return root_ / "metrics.jsonl"; }
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
  std::filesystem::path lock_file() const { return root_ / "run.lock"; }

  // Makes `checkpoint` (a step checkpoint just written) the latest one, then
  // deletes all but the newest `keep` step checkpoints.
  void publish_checkpoint(const std::filesystem::path& checkpoint,
                          int64_t keep) const;

  // Step checkpoints present, oldest first.
  std::vector<std::filesystem::path> step_checkpoints() const;

  // The newest checkpoint that passes its checks (magic, version, length,
  // checksum): latest.ckpt, else the step checkpoints newest first. Each
  // one that fails is renamed to NAME.corrupt, out of the rotation, and
  // reported through `warn`. Throws gan::Error naming the folder when no
  // checkpoint is good.
  std::filesystem::path newest_good_checkpoint(
      const std::function<void(const std::string&)>& warn) const;

 private:
  explicit RunDir(std::filesystem::path root);
  // Takes the folder's lock; throws gan::Error naming the holder's pid.
  void lock();
  // Deletes the temporaries that a killed writer left (under the lock).
  void remove_stale_temporaries() const;

  std::filesystem::path root_;
  int lock_fd_ = -1;  // the open run.lock while locked, else -1
};

// The checkpoint a --checkpoint argument names: a file as it is, a run
// folder as its latest checkpoint. Throws gan::Error when neither exists.
std::filesystem::path resolve_checkpoint(const std::filesystem::path& path);

}  // namespace gan::io
