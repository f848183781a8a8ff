// Run folder layout, its lock, checkpoint rotation and recovery.
#include "gan/io/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "gan/core/error.h"
#include "gan/core/file.h"
#include "gan/io/checkpoint.h"

namespace gan::io {
namespace fs = std::filesystem;

RunDir::RunDir(fs::path root) : root_(std::move(root)) {}

RunDir::RunDir(RunDir&& other) noexcept
    : root_(std::move(other.root_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)) {}

RunDir& RunDir::operator=(RunDir&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    root_ = std::move(other.root_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

// Closing the descriptor releases the lock. run.lock itself stays: removing
// it would race with a process that has just opened it.
RunDir::~RunDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void RunDir::lock() {
  const fs::path path = lock_file();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(fmt::format("{}: cannot open the run's lock file ({})",
                            path.string(), std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd, holder, sizeof(holder) - 1, 0);
    ::close(fd);
    if (why == EWOULDBLOCK) {
      throw Error(fmt::format(
          "{}: another gan process (pid {}) is training in this run folder; "
          "hint: wait for it, stop it, or choose another folder",
          root_.string(), n > 0 ? std::string(holder, n) : "unknown"));
    }
    throw Error(
        fmt::format("{}: cannot lock ({})", path.string(), std::strerror(why)));
  }
  // The holder's pid, for the message above; the lock is what counts.
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw Error(fmt::format("{}: write failed ({})", path.string(), why));
  }
  lock_fd_ = fd;
}

RunDir RunDir::create(const fs::path& root) {
  RunDir run(root);
  ensure_writable_dir(root);
  // Locked before the check, so that two processes starting in one folder
  // cannot both find it empty.
  run.lock();
  std::error_code ec;
  if (fs::exists(run.config_file(), ec) ||
      fs::exists(run.checkpoints_dir(), ec)) {
    throw Error(fmt::format(
        "{}: already holds a run; hint: continue it with --resume {} or "
        "choose another --out",
        root.string(), root.string()));
  }
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
  if (!fs::exists(run.latest_checkpoint(), ec) &&
      run.step_checkpoints().empty()) {
    throw Error(fmt::format("{}: no checkpoint to resume from (expected {})",
                            root.string(), run.latest_checkpoint().string()));
  }
  ensure_writable_dir(root);
  run.lock();
  ensure_writable_dir(run.samples_dir());
  ensure_writable_dir(run.checkpoints_dir());
  run.remove_stale_temporaries();
  return run;
}

// A process killed inside write_file_atomic or publish_checkpoint leaves its
// temporary behind (NAME.tmpXXXXXXXX, latest.ckpt.tmp); under the lock, no
// live writer can own one.
void RunDir::remove_stale_temporaries() const {
  for (const auto& dir : {root_, samples_dir(), checkpoints_dir()}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto name = entry.path().filename().string();
      const auto at = name.rfind(".tmp");
      if (at == std::string::npos || !entry.is_regular_file(ec)) continue;
      const auto suffix = name.substr(at + 4);
      const bool ours =
          suffix.empty() ||
          (suffix.size() == 8 &&
           suffix.find_first_not_of("0123456789abcdef") == std::string::npos);
      if (ours) fs::remove(entry.path(), ec);
    }
  }
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
    write_file_atomic(
        latest_checkpoint(),
        std::string_view(reinterpret_cast<const char*>(bytes.data()),
                         bytes.size()));
  }

  auto steps = step_checkpoints();
  const auto excess = static_cast<int64_t>(steps.size()) - keep;
  for (int64_t i = 0; i < excess; ++i) {
    std::error_code ec;
    fs::remove(steps[i], ec);
  }
}

fs::path RunDir::newest_good_checkpoint(
    const std::function<void(const std::string&)>& warn) const {
  std::vector<fs::path> candidates;
  std::error_code ec;
  if (fs::exists(latest_checkpoint(), ec)) {
    candidates.push_back(latest_checkpoint());
  }
  const auto steps = step_checkpoints();
  candidates.insert(candidates.end(), steps.rbegin(), steps.rend());

  for (const auto& candidate : candidates) {
    // latest.ckpt is a hard link to a step checkpoint that an earlier
    // round may already have moved aside.
    if (!fs::exists(candidate, ec)) continue;
    try {
      read_checkpoint_header(candidate);
      return candidate;
    } catch (const Error& e) {
      const fs::path aside = candidate.string() + ".corrupt";
      fs::rename(candidate, aside, ec);
      if (warn) {
        warn(fmt::format(
            "{}; {}, trying an older checkpoint", e.what(),
            ec ? "left in place" : "renamed to " + aside.filename().string()));
      }
    }
  }
  throw Error(fmt::format(
      "{}: no valid checkpoint to resume from ({} tried, every one failed "
      "its checks)",
      root_.string(), candidates.size()));
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
