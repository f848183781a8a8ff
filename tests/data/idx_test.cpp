#include "gan/data/idx.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::data {
namespace {

using testing::idx_bytes;
using testing::TempDir;

std::span<const uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Runs `parse` on `bytes` and returns the error message ("" if none).
std::string parse_error(const std::string& bytes, int rank = 0) {
  try {
    parse_idx(as_span(bytes), "test.idx", rank);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

using testing::contains;

TEST(IdxTest, ParsesDimensionsAndData) {
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const auto array = parse_idx(as_span(idx_bytes({2, 3, 2}, data)), "t", 3);
  EXPECT_EQ(array.dims, (std::vector<int64_t>{2, 3, 2}));
  EXPECT_EQ(array.bytes, data);
}

TEST(IdxTest, ReadsPlainAndGzipFiles) {
  TempDir dir;
  const std::vector<uint8_t> data = {9, 8, 7};
  testing::write_bytes(dir / "plain", idx_bytes({3}, data));
  testing::write_bytes(dir / "packed.gz", testing::gzip(idx_bytes({3}, data)));
  EXPECT_EQ(read_idx(dir / "plain").bytes, data);
  EXPECT_EQ(read_idx(dir / "packed.gz").bytes, data);
}

TEST(IdxTest, RejectsWrongMagic) {
  auto bytes = idx_bytes({2}, {1, 2});
  bytes[0] = 0x1f;
  const auto message = parse_error(bytes);
  EXPECT_TRUE(contains(message, "magic")) << message;
  EXPECT_TRUE(contains(message, "test.idx")) << message;
}

TEST(IdxTest, RejectsElementTypesOtherThanBytes) {
  auto bytes = idx_bytes({1}, {0, 0, 0, 0});
  bytes[2] = 0x0D;  // float
  const auto message = parse_error(bytes);
  EXPECT_TRUE(contains(message, "0x0d")) << message;
  EXPECT_TRUE(contains(message, "float")) << message;
}

TEST(IdxTest, RejectsUnexpectedRank) {
  const auto message = parse_error(idx_bytes({2, 2}, {1, 2, 3, 4}), 3);
  EXPECT_TRUE(contains(message, "2 dimensions; expected 3")) << message;
}

TEST(IdxTest, RejectsTruncatedData) {
  auto bytes = idx_bytes({10, 28, 28}, std::vector<uint8_t>(10 * 784, 1));
  bytes.resize(bytes.size() - 100);
  const auto message = parse_error(bytes);
  EXPECT_TRUE(contains(message, "truncated")) << message;
  EXPECT_TRUE(contains(message, "10 x 28 x 28")) << message;
}

TEST(IdxTest, RejectsTrailingBytes) {
  auto bytes = idx_bytes({4}, {1, 2, 3, 4});
  bytes += "extra";
  const auto message = parse_error(bytes);
  EXPECT_TRUE(contains(message, "trailing")) << message;
}

TEST(IdxTest, RejectsShortHeaders) {
  EXPECT_TRUE(contains(parse_error(std::string("\0\0", 2)), "header"));
  const auto message = parse_error(std::string("\0\0\x08\x03\0\0\0\x01", 8));
  EXPECT_TRUE(contains(message, "truncated IDX header")) << message;
}

TEST(IdxTest, HugeDimensionsAreRejectedWithoutOverflow) {
  const auto message =
      parse_error(idx_bytes({0xffffffff, 0xffffffff, 0xffffffff}, {1, 2}));
  EXPECT_TRUE(contains(message, "truncated")) << message;
}

TEST(IdxTest, MissingFileIsNamed) {
  TempDir dir;
  try {
    read_idx(dir / "nope-idx3-ubyte");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "nope-idx3-ubyte"));
  }
}

}  // namespace
}  // namespace gan::data
