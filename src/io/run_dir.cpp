// Run folder layout and checkpoint rotation.
#include "gan/io/run_dir.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {
namespace fs = std::filesystem;

RunDir::RunDir(fs::path root) : root_(std::move(root)) {}

RunDir RunDir::create(const fs::path& root) {
  RunDir run(root);
  std::error_code ec;
  if (fs::exists(run.config_file(), ec) ||
      fs::exists(run.checkpoints_dir(), ec)) {
    throw Error(fmt::format(
        "{}: already holds a run; hint: continue it with --resume {} or "
        "choose another --out",
        root.string(), root.string()));
  }
  ensure_writable_dir(root);
  ensure_writable_dir(run.samples_dir());
  ensure_writable_dir(run.checkpoints_dir());
  return run;
}

RunDir RunDir::open(const fs::path& root) {
  RunDir run(root);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw Error(fmt::format("{}: run folder not found", root.string()));
  }
  if (!fs::exists(run.latest_checkpoint(), ec)) {
    throw Error(fmt::format("{}: no checkpoint to resume from (expected {})",
                            root.string(), run.latest_checkpoint().string()));
  }
  ensure_writable_dir(root);
  ensure_writable_dir(run.samples_dir());
  ensure_writable_dir(run.checkpoints_dir());
  return run;
}

RunDir RunDir::at(const fs::path& root) { return RunDir(root); }

fs::path RunDir::step_checkpoint(int64_t step) const {
  return checkpoints_dir() / fmt::format("step-{:09d}.ckpt", step);
}

fs::path RunDir::grid_file(int64_t epoch) const {
  return samples_dir() / fmt::format("epoch-{:04d}.png", epoch);
}

std::vector<fs::path> RunDir::step_checkpoints() const {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(checkpoints_dir(), ec)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("step-") && name.ends_with(".ckpt")) {
      found.push_back(entry.path());
    }
  }
  // Zero-padded step numbers sort in step order.
  std::sort(found.begin(), found.end());
  return found;
}

void RunDir::publish_checkpoint(const fs::path& checkpoint,
                                int64_t keep) const {
  // A hard link renamed over latest.ckpt: atomic, and no second copy of the
  // bytes. Filesystems without hard links get a copy, written atomically.
  const fs::path tmp = latest_checkpoint().string() + ".tmp";
  ::unlink(tmp.c_str());
  if (::link(checkpoint.c_str(), tmp.c_str()) == 0) {
    if (::rename(tmp.c_str(), latest_checkpoint().c_str()) != 0) {
      const std::string why = std::strerror(errno);
      ::unlink(tmp.c_str());
      throw Error(fmt::format("{}: rename failed ({})",
                              latest_checkpoint().string(), why));
    }
  } else {
    const auto bytes = read_file(checkpoint);
    write_file_atomic(latest_checkpoint(),
                      std::string_view(
                          reinterpret_cast<const char*>(bytes.data()),
                          bytes.size()));
  }

  auto steps = step_checkpoints();
  const auto excess = static_cast<int64_t>(steps.size()) - keep;
  for (int64_t i = 0; i < excess; ++i) {
    std::error_code ec;
    fs::remove(steps[i], ec);
  }
}

fs::path resolve_checkpoint(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const auto latest = path / "checkpoints" / "latest.ckpt";
    if (fs::is_regular_file(latest, ec)) return latest;
    throw Error(fmt::format("{}: folder holds no checkpoints/latest.ckpt",
                            path.string()));
  }
  if (!fs::exists(path, ec)) {
    throw Error(fmt::format("{}: checkpoint not found", path.string()));
  }
  return path;
}

}  // namespace gan::io
