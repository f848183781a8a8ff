// Whole-file reads and crash-safe writes. Every file gan writes goes through
// write_file_atomic, so a crash or a full disk never leaves a half-written
// file under the final name: readers see the old content or the new.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gan {

// Returns the bytes of `path`. Throws gan::Error naming the file when it is
// missing, is a directory or cannot be read.
std::vector<uint8_t> read_file(const std::filesystem::path& path);

// Like read_file, but gunzips the content when it starts with the gzip magic
// bytes (1f 8b). Throws gan::Error on a corrupt or truncated gzip stream, or
// when the uncompressed size exceeds `max_bytes`.
std::vector<uint8_t> read_file_maybe_gzip(const std::filesystem::path& path,
                                          uint64_t max_bytes = 1ull << 34);

// Writes `bytes` to `path` through a temporary file in the same folder that
// is flushed to disk and then renamed over `path`. Throws gan::Error naming
// `path` (and the cause, e.g. "No space left on device") on failure, in
// which case `path` keeps its previous content and no temporary is left.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view bytes);

// Creates `dir` and its parents when missing. Throws gan::Error naming the
// folder when it cannot be created or written to.
void ensure_writable_dir(const std::filesystem::path& dir);

}  // namespace gan
