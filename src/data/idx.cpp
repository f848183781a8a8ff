// IDX parsing with every header field checked against the content.
#include "gan/data/idx.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gan/core/error.h"
#include "gan/core/file.h"

namespace gan::data {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr size_t kMagicBytes = 4;
constexpr size_t kDimBytes = 4;
// IDX files in the wild have at most 4 dimensions; the cap keeps a corrupt
// header from describing an absurd shape.
constexpr int kMaxRank = 8;

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

const char* type_name(uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
  }
}

}  // namespace

IdxArray parse_idx(std::span<const uint8_t> content,
                   const std::string& source, int expected_rank) {
  if (content.size() < kMagicBytes) {
    throw Error(fmt::format(
        "{}: not an IDX file: {} bytes, shorter than the 4-byte header",
        source, content.size()));
  }
  if (content[0] != 0 || content[1] != 0) {
    throw Error(fmt::format(
        "{}: not an IDX file: magic number starts with {:02x} {:02x}, "
        "expected 00 00",
        source, content[0], content[1]));
  }
  const uint8_t type = content[2];
  if (type != kUnsignedByte) {
    throw Error(fmt::format(
        "{}: IDX element type 0x{:02x} ({}) is not supported; expected 0x08 "
        "(unsigned byte)",
        source, type, type_name(type)));
  }
  const int rank = content[3];
  if (rank == 0 || rank > kMaxRank) {
    throw Error(fmt::format("{}: IDX header has {} dimensions; expected 1 to {}",
                            source, rank, kMaxRank));
  }
  if (expected_rank > 0 && rank != expected_rank) {
    throw Error(fmt::format("{}: IDX header has {} dimensions; expected {}",
                            source, rank, expected_rank));
  }

  // Sizes, then the element count they promise.
  const size_t header = kMagicBytes + kDimBytes * rank;
  if (content.size() < header) {
    throw Error(fmt::format(
        "{}: truncated IDX header: {} bytes, expected {} for {} dimensions",
        source, content.size(), header, rank));
  }
  IdxArray array;
  uint64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const uint32_t size = read_be32(content.data() + kMagicBytes + kDimBytes * d);
    array.dims.push_back(size);
    // Saturate instead of overflowing: a huge product can never match.
    if (__builtin_mul_overflow(count, uint64_t{size}, &count)) {
      count = UINT64_MAX;
    }
  }
  const uint64_t payload = content.size() - header;
  if (count != payload) {
    throw Error(fmt::format(
        "{}: IDX size mismatch: the header promises {} elements ({}), the "
        "file holds {} bytes after the header ({})",
        source, count, fmt::join(array.dims, " x "), payload,
        count > payload ? "truncated" : "trailing bytes"));
  }

  array.bytes.assign(content.begin() + header, content.end());
  return array;
}

IdxArray read_idx(const std::filesystem::path& path, int expected_rank) {
  const auto content = read_file_maybe_gzip(path);
  return parse_idx(content, path.string(), expected_rank);
}

}  // namespace gan::data
