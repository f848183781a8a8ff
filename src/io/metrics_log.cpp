// Append-only JSON-lines log.
#include "gan/io/metrics_log.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::io {

MetricsLog::MetricsLog(const std::filesystem::path& path)
    : path_(path), out_(path, std::ios::app) {
  if (!out_) {
    throw Error(fmt::format("{}: cannot open for appending", path.string()));
  }
}

void MetricsLog::append(const std::string& json_object) {
  errno = 0;
  out_ << json_object << '\n';
  out_.flush();
  if (!out_) {
    // A line cut short by a full disk is skipped by readers and dropped by
    // truncate_after_step on resume.
    throw Error(fmt::format("{}: write failed ({})", path_.string(),
                            errno ? std::strerror(errno) : "stream error"));
  }
}

void MetricsLog::truncate_after_step(const std::filesystem::path& path,
                                     int64_t step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept;
  std::string line;
  while (std::getline(in, line)) {
    const auto record = nlohmann::json::parse(line, nullptr,
                                              /*allow_exceptions=*/false);
    if (!record.is_object()) continue;
    const auto it = record.find("step");
    if (it != record.end() && it->is_number_integer() &&
        it->get<int64_t>() > step) {
      continue;
    }
    kept += line;
    kept += '\n';
  }
  write_file_atomic(path, kept);
}

}  // namespace gan::io
