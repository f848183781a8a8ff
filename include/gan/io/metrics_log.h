// A run's metrics for machines: metrics.jsonl, one JSON object per line,
// each with a "step" field, appended and flushed as training goes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace gan::io {

class MetricsLog {
 public:
  // Opens `path` for appending, creating it. Throws gan::Error naming the
  // path when it cannot be opened.
  explicit MetricsLog(const std::filesystem::path& path);

  // Appends one line (`json_object` must be one JSON object without a
  // newline) and flushes it. Throws gan::Error when the write fails.
  void append(const std::string& json_object);

  // Rewrites `path` keeping only records with "step" <= `step` and dropping
  // unreadable lines (a line cut short by a crash), so that a run resumed
  // from step `step` does not log steps twice. A missing file is fine.
  static void truncate_after_step(const std::filesystem::path& path,
                                  int64_t step);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace gan::io
