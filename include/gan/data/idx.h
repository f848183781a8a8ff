// Reader for the IDX format of MNIST, Fashion-MNIST and their kin. An IDX
// file is a big-endian header (two zero bytes, an element-type byte, a
// dimension-count byte, then one 32-bit size per dimension) followed by the
// elements in row-major order. Files may be gzip-compressed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace gan::data {

// An IDX array of unsigned bytes: `dims` as in the header, `bytes` holding
// the product of `dims` elements.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
};

// Reads an IDX file of unsigned bytes (element type 0x08), plain or gzip.
// Throws gan::Error naming the file when it is missing or unreadable, when
// the magic number is wrong, when the element type is not unsigned byte,
// when `expected_rank` > 0 and the dimension count differs, or when the
// length does not match the header (truncated or trailing bytes).
IdxArray read_idx(const std::filesystem::path& path, int expected_rank = 0);

// Parses IDX content already in memory; `source` names it in errors.
IdxArray parse_idx(std::span<const uint8_t> content, const std::string& source,
                   int expected_rank = 0);

}  // namespace gan::data
