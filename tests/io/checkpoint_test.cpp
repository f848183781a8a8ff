#include "gan/io/checkpoint.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;

std::string error_of(const std::filesystem::path& path) {
  try {
    read_checkpoint(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

using testing::contains;

void write_sample(const std::filesystem::path& path) {
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::arange(1000, torch::kFloat32));
  write_checkpoint(path, R"({"step": 7})", archive);
}

TEST(CheckpointTest, RoundTripKeepsHeaderAndTensors) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  auto contents = read_checkpoint(dir / "a.ckpt");
  EXPECT_EQ(contents.header_json, R"({"step": 7})");
  torch::Tensor weights;
  contents.archive->read("weights", weights);
  EXPECT_TRUE(torch::equal(weights, torch::arange(1000, torch::kFloat32)));
  EXPECT_EQ(read_checkpoint_header(dir / "a.ckpt"), R"({"step": 7})");
}

TEST(CheckpointTest, OtherFilesAreNotCheckpoints) {
  TempDir dir;
  testing::write_bytes(dir / "x.ckpt", "PK\x03\x04 a zip file");
  const auto message = error_of(dir / "x.ckpt");
  EXPECT_TRUE(contains(message, "not a gan checkpoint")) << message;
  EXPECT_TRUE(contains(message, "x.ckpt")) << message;
}

TEST(CheckpointTest, AnotherFormatVersionIsRefusedWithAHint) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  auto bytes = testing::read_bytes(dir / "a.ckpt");
  bytes[8] = 9;  // the version field follows the 8-byte magic
  testing::write_bytes(dir / "a.ckpt", bytes);
  const auto message = error_of(dir / "a.ckpt");
  EXPECT_TRUE(contains(message, "format version 9")) << message;
  EXPECT_TRUE(contains(message, "hint")) << message;
}

TEST(CheckpointTest, TruncationIsReported) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  auto bytes = testing::read_bytes(dir / "a.ckpt");
  for (size_t keep :
       {size_t{10}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    testing::write_bytes(dir / "cut.ckpt", bytes.substr(0, keep));
    const auto message = error_of(dir / "cut.ckpt");
    EXPECT_TRUE(contains(message, "truncated") || contains(message, "corrupt"))
        << keep << ": " << message;
  }
}

TEST(CheckpointTest, AnyFlippedByteIsCaughtByTheChecksum) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  const auto bytes = testing::read_bytes(dir / "a.ckpt");
  // Past the magic and version, every region: lengths, header, archive.
  for (size_t at = 12; at < bytes.size(); at += bytes.size() / 23) {
    auto bad = bytes;
    bad[at] ^= 0x01;
    testing::write_bytes(dir / "bad.ckpt", bad);
    EXPECT_FALSE(error_of(dir / "bad.ckpt").empty()) << "byte " << at;
  }
}

// Found by fuzz/checkpoint_fuzzer: a tensor archive that libtorch's
// TorchScript reader rejects with torch::jit::ErrorReport, which is no
// c10::Error, behind a valid checksum.
TEST(CheckpointTest, AnArchiveLibtorchRejectsIsAGanError) {
  const std::filesystem::path path =
      GAN_SOURCE_DIR "/tests/fixtures/torchscript-error.ckpt";
  const std::string message = error_of(path);
  EXPECT_TRUE(contains(message,
                       "torchscript-error.ckpt: cannot read the "
                       "tensor archive (Unknown type name"))
      << message;
}

}  // namespace
}  // namespace gan::io
