// The safetensors format, so that weights move to PyTorch, numpy and other
// frameworks without pickle or libtorch archives: an 8-byte little-endian
// header length, a JSON header giving each tensor's dtype, shape and byte
// range (plus optional string metadata), then the raw little-endian data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace gan::io {

// Tensors with their names.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// What a safetensors file holds.
struct Safetensors {
  std::map<std::string, torch::Tensor> tensors;  // CPU, contiguous
  std::map<std::string, std::string> metadata;   // "__metadata__"
};

// Writes `tensors` (float32 "F32", float64 "F64", int64 "I64" or uint8
// "U8"; any shape, any device) and `metadata` as the header's
// "__metadata__" to `path`. The header is padded with spaces so that the
// data starts at a multiple of 8 bytes; tensors are stored widest element
// first, otherwise in the given order, so each one's data is aligned to its
// element size. Written atomically.
// Throws gan::Error naming the path for another dtype, an empty, repeated
// or reserved ("__metadata__") name, or a failed write.
void write_safetensors(const std::filesystem::path& path,
                       const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads a safetensors file of F32, F64, I64 and U8 tensors into CPU
// tensors of those dtypes and shapes. The file is checked whole: a header
// length within the file, a JSON object, known dtypes, non-negative
// shapes, byte ranges inside the data that match their shapes, do not
// overlap and cover the data exactly, string-valued metadata, no repeated
// names. Throws gan::Error naming the file and what was wrong otherwise.
Safetensors read_safetensors(const std::filesystem::path& path);

// The same two in memory, for containers that embed the format (the
// checkpoint file): the bytes a file would hold, and back. `source` names
// the bytes in error messages.
std::string encode_safetensors(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata,
    const std::string& source);
Safetensors decode_safetensors(std::span<const uint8_t> bytes,
                               const std::string& source);

}  // namespace gan::io
