#include "gan/io/safetensors.h"

#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;

// A safetensors file made by hand: `header` (JSON, unpadded) after its
// length, then `data`.
std::string file_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}

class SafetensorsTest : public ::testing::Test {
 protected:
  // Expects reading `bytes` to fail with a message naming the file and
  // containing `part`.
  void expect_error(const std::string& bytes, const std::string& part) {
    testing::write_bytes(dir_ / "bad.safetensors", bytes);
    try {
      read_safetensors(dir_ / "bad.safetensors");
      ADD_FAILURE() << "expected an error mentioning " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.safetensors"),
                std::string::npos)
          << e.what();
    }
  }

  TempDir dir_;
};

TEST_F(SafetensorsTest, EveryDtypeRoundTrips) {
  torch::manual_seed(3);
  const NamedTensors tensors = {
      {"f32", torch::randn({3, 4, 2})},
      {"f64", torch::randn({5}, torch::kFloat64)},
      {"i64", torch::arange(-6, 6, torch::kInt64).reshape({3, 4})},
      {"u8", torch::randint(0, 256, {2, 3, 1}).to(torch::kByte)},
      {"scalar", torch::tensor(7, torch::kInt64).reshape({})},
      {"empty", torch::zeros({0, 3})},
  };
  write_safetensors(dir_ / "t.safetensors", tensors,
                    {{"format", "test"}, {"note", "two entries"}});
  const auto back = read_safetensors(dir_ / "t.safetensors");
  ASSERT_EQ(back.tensors.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const auto& read = back.tensors.at(name);
    EXPECT_EQ(read.scalar_type(), tensor.scalar_type()) << name;
    EXPECT_EQ(read.sizes(), tensor.sizes()) << name;
    EXPECT_TRUE(torch::equal(read, tensor)) << name;
  }
  EXPECT_EQ(back.metadata.at("format"), "test");
  EXPECT_EQ(back.metadata.at("note"), "two entries");
}

TEST_F(SafetensorsTest, NonContiguousTensorsAreWrittenByValue) {
  const auto t = torch::arange(12, torch::kFloat32).reshape({3, 4}).t();
  write_safetensors(dir_ / "t.safetensors", {{"t", t}});
  EXPECT_TRUE(torch::equal(
      read_safetensors(dir_ / "t.safetensors").tensors.at("t"), t));
}

TEST_F(SafetensorsTest, LayoutIsTheStandardOne) {
  write_safetensors(dir_ / "t.safetensors",
                    {{"a", torch::ones({2}, torch::kFloat32)},
                     {"b", torch::zeros({3}, torch::kByte)}});
  const auto bytes = testing::read_bytes(dir_ / "t.safetensors");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  // The data starts at a multiple of 8, the header padded with spaces.
  EXPECT_EQ((8 + length) % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + length + 2 * 4 + 3);
  const auto header = bytes.substr(8, length);
  EXPECT_EQ(
      header.rfind(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}})",
                   0),
      0u)
      << header;
  EXPECT_EQ(header.find_first_not_of(' ', header.rfind('}') + 1),
            std::string::npos);
  // 1.0f little-endian.
  EXPECT_EQ(bytes.substr(8 + length, 4), std::string("\0\0\x80\x3f", 4));
}

TEST_F(SafetensorsTest, EveryTensorIsAlignedToItsElementSize) {
  write_safetensors(dir_ / "t.safetensors",
                    {{"u8", torch::zeros({3}, torch::kByte)},
                     {"f32", torch::zeros({1})},
                     {"i64", torch::zeros({2}, torch::kInt64)}});
  const auto bytes = testing::read_bytes(dir_ / "t.safetensors");
  EXPECT_NE(bytes.find(R"("i64":{"dtype":"I64","shape":[2],)"
                       R"("data_offsets":[0,16]})"),
            std::string::npos);
  EXPECT_NE(bytes.find(R"("data_offsets":[16,20])"), std::string::npos);
  EXPECT_NE(bytes.find(R"("data_offsets":[20,23])"), std::string::npos);
}

TEST_F(SafetensorsTest, WriterRefusesUnsupportedDtypesAndBadNames) {
  EXPECT_THROW(write_safetensors(dir_ / "t.safetensors",
                                 {{"h", torch::zeros({2}, torch::kHalf)}}),
               Error);
  EXPECT_THROW(
      write_safetensors(dir_ / "t.safetensors",
                        {{"a", torch::zeros({2})}, {"a", torch::zeros({2})}}),
      Error);
  EXPECT_THROW(write_safetensors(dir_ / "t.safetensors",
                                 {{"__metadata__", torch::zeros({2})}}),
               Error);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.safetensors"));
}

TEST_F(SafetensorsTest, ReaderRefusesTruncatedFiles) {
  write_safetensors(dir_ / "good.safetensors",
                    {{"w", torch::randn({4, 4})}, {"b", torch::randn({4})}});
  const auto good = testing::read_bytes(dir_ / "good.safetensors");
  expect_error("", "truncated");
  expect_error(good.substr(0, 5), "truncated");
  expect_error(good.substr(0, 40), "runs past the end");
  expect_error(good.substr(0, good.size() - 1), "out of range");
}

TEST_F(SafetensorsTest, ReaderRefusesBadHeaderLengths) {
  const std::string header =
      R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  auto bytes = file_bytes(header, "xy");
  // Longer than the file, absurdly long, and too short for the JSON.
  uint64_t length = header.size() + 3;
  std::memcpy(bytes.data(), &length, 8);
  expect_error(bytes, "runs past the end");
  length = ~uint64_t{0};
  std::memcpy(bytes.data(), &length, 8);
  expect_error(bytes, "runs past the end");
  length = header.size() - 5;
  std::memcpy(bytes.data(), &length, 8);
  expect_error(bytes, "malformed");
}

TEST_F(SafetensorsTest, ReaderRefusesBadOffsets) {
  const auto entry = [](const std::string& offsets) {
    return R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + offsets +
           "}}";
  };
  expect_error(file_bytes(entry("[0,16]"), std::string(8, 'x')),
               "out of range");
  expect_error(file_bytes(entry("[8,0]"), std::string(8, 'x')), "out of range");
  expect_error(file_bytes(entry("[0,4]"), std::string(8, 'x')),
               "needs 8 bytes");
  expect_error(file_bytes(entry("[0,-8]"), std::string(8, 'x')), "not a pair");
  expect_error(file_bytes(entry("[0,8]"), std::string(12, 'x')),
               "cover 8 bytes");
  expect_error(file_bytes(entry("[4,12]"), std::string(12, 'x')),
               "belong to no tensor");
  // Two tensors sharing bytes.
  expect_error(
      file_bytes(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                 R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                 std::string(6, 'x')),
      "overlaps");
}

TEST_F(SafetensorsTest, ReaderRefusesUnknownDtypesAndBadEntries) {
  expect_error(
      file_bytes(R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})",
                 "xxxx"),
      "dtype 'BF16' is not supported");
  expect_error(
      file_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
                 "xxxx"),
      "non-negative");
  expect_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1]}})", ""),
               "no 'data_offsets'");
  expect_error(file_bytes(R"([1, 2])", ""), "not a JSON object");
  expect_error(file_bytes(R"({"__metadata__":{"n":1}})", ""),
               "expected a string");
  expect_error(
      file_bytes(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                 R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                 "xy"),
      "twice");
  // A shape whose byte count overflows 64 bits.
  expect_error(
      file_bytes(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],)"
                 R"("data_offsets":[0,0]}})",
                 ""),
      "too large");
}

TEST_F(SafetensorsTest, MissingFileIsNamed) {
  EXPECT_THROW(read_safetensors(dir_ / "none.safetensors"), Error);
}

}  // namespace
}  // namespace gan::io
