// The checkpoint file container. Layout (all integers little-endian):
//   8 bytes   magic "GANCKPT\n"
//   u32       format version (kCheckpointVersion)
//   u64, ...  length, then a JSON header (what the file holds, as text)
//   u64, ...  length, then the named tensors in the safetensors layout
//             (io/safetensors.h), parsed by gan's own checked reader
//   u32       CRC-32 of every byte before it
// Files are written atomically (temporary file, fsync, rename), so a crash
// never leaves a partial checkpoint under the final name.
//
// Version 1 held a libtorch archive instead of the safetensors block; it
// is refused with a hint, since libtorch's archive reader is not safe on
// bytes from outside.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <torch/nn/module.h>

#include "gan/io/safetensors.h"

namespace gan::io {

inline constexpr uint32_t kCheckpointVersion = 2;

// Writes `header_json` and `tensors` (the dtypes write_safetensors takes)
// to `path`. Throws gan::Error naming the path (and the cause, e.g. a full
// disk) on failure; the file at `path` is then unchanged.
void write_checkpoint(const std::filesystem::path& path,
                      const std::string& header_json,
                      const NamedTensors& tensors);

struct CheckpointContents {
  std::string header_json;
  std::map<std::string, torch::Tensor> tensors;  // CPU
};

// Reads a checkpoint. Throws gan::Error naming the file when it is missing,
// not a gan checkpoint (magic), from another format version, truncated,
// fails its checksum, or holds a malformed tensor block.
CheckpointContents read_checkpoint(const std::filesystem::path& path);

// Only the JSON header (still checks magic, version and checksum).
std::string read_checkpoint_header(const std::filesystem::path& path);

// A module's parameters and buffers (recursively, by their dotted names)
// appended to `out` as "PREFIX.NAME".
void add_module_tensors(NamedTensors& out, const std::string& prefix,
                        const torch::nn::Module& module);

// Whether `tensors` holds anything under "PREFIX.".
bool has_tensors(const std::map<std::string, torch::Tensor>& tensors,
                 const std::string& prefix);

// Copies "PREFIX.NAME" from `tensors` into each of the module's parameters
// and buffers. Throws gan::Error naming `source` when one is missing, has
// another shape or dtype, or when the file holds names under PREFIX that
// the module lacks (another model).
void load_module_tensors(const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& prefix, torch::nn::Module& module,
                         const std::string& source);

}  // namespace gan::io
