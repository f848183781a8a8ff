// The checkpoint file container. Layout (all integers little-endian):
//   8 bytes   magic "GANCKPT\n"
//   u32       format version (kCheckpointVersion)
//   u64, ...  length, then a JSON header (what the file holds, as text)
//   u64, ...  length, then a libtorch archive of named tensors
//   u32       CRC-32 of every byte before it
// Files are written atomically (temporary file, fsync, rename), so a crash
// never leaves a partial checkpoint under the final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace gan::io {

inline constexpr uint32_t kCheckpointVersion = 1;

// Writes `header_json` and `archive` to `path`. Throws gan::Error naming
// the path (and the cause, e.g. a full disk) on failure; the file at `path`
// is then unchanged.
void write_checkpoint(const std::filesystem::path& path,
                      const std::string& header_json,
                      torch::serialize::OutputArchive& archive);

struct CheckpointContents {
  std::string header_json;
  std::unique_ptr<torch::serialize::InputArchive> archive;
};

// Reads a checkpoint. Throws gan::Error naming the file when it is missing,
// not a gan checkpoint (magic), from another format version, truncated, or
// fails its checksum.
CheckpointContents read_checkpoint(const std::filesystem::path& path);

// Only the JSON header (still checks magic, version and checksum).
std::string read_checkpoint_header(const std::filesystem::path& path);

}  // namespace gan::io
