#include "gan/io/checkpoint.h"

#include <cstring>

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <zlib.h>

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
  write_checkpoint(path, R"({"step": 7})",
                   {{"weights", torch::arange(1000, torch::kFloat32)},
                    {"steps", torch::arange(3, torch::kInt64)}});
}

TEST(CheckpointTest, RoundTripKeepsHeaderAndTensors) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  auto contents = read_checkpoint(dir / "a.ckpt");
  EXPECT_EQ(contents.header_json, R"({"step": 7})");
  ASSERT_EQ(contents.tensors.size(), 2u);
  EXPECT_TRUE(torch::equal(contents.tensors.at("weights"),
                           torch::arange(1000, torch::kFloat32)));
  EXPECT_TRUE(torch::equal(contents.tensors.at("steps"),
                           torch::arange(3, torch::kInt64)));
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

// Version 1 files held a libtorch archive; the fixture is one that
// libtorch's TorchScript reader rejected (fuzz/checkpoint_fuzzer found
// others that crashed it). Version 2 never hands those bytes to libtorch.
TEST(CheckpointTest, VersionOneFilesAreRefusedBeforeTheirTensorsAreRead) {
  const std::filesystem::path path =
      GAN_SOURCE_DIR "/tests/fixtures/torchscript-error.ckpt";
  const std::string message = error_of(path);
  EXPECT_TRUE(
      contains(message, "torchscript-error.ckpt: checkpoint format version 1"))
      << message;
  EXPECT_TRUE(contains(message, "hint")) << message;
}

// The tensor block is read by gan's safetensors reader: a block that is
// malformed but carries a valid checksum is refused by name.
TEST(CheckpointTest, AMalformedTensorBlockBehindAValidChecksumIsRefused) {
  TempDir dir;
  write_sample(dir / "a.ckpt");
  auto bytes = testing::read_bytes(dir / "a.ckpt");
  // The block's own header length is the first 8 bytes after the JSON
  // header and the block length.
  const size_t block = 8 + 4 + 8 + std::string(R"({"step": 7})").size() + 8;
  bytes[block] = '\xff';
  bytes[block + 1] = '\xff';
  const uint32_t crc = static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()),
            static_cast<uInt>(bytes.size() - 4)));
  std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
  testing::write_bytes(dir / "a.ckpt", bytes);
  const auto message = error_of(dir / "a.ckpt");
  EXPECT_TRUE(contains(message, "a.ckpt (tensors): header length")) << message;
}

TEST(CheckpointTest, ModuleTensorsRoundTripAndRefuseAnotherModel) {
  torch::manual_seed(5);
  torch::nn::Sequential a(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4));
  NamedTensors tensors;
  add_module_tensors(tensors, "net", *a);
  std::map<std::string, torch::Tensor> stored(tensors.begin(), tensors.end());
  EXPECT_TRUE(has_tensors(stored, "net"));
  EXPECT_FALSE(has_tensors(stored, "ne"));
  // Weights, bias, BN's weight, bias, running mean, variance and count.
  EXPECT_EQ(stored.size(), 7u);

  torch::nn::Sequential b(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4));
  load_module_tensors(stored, "net", *b, "file");
  const auto x = torch::randn({2, 3});
  a->eval();
  b->eval();
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));

  const auto refusal = [&](torch::nn::Module& module) {
    try {
      load_module_tensors(stored, "net", module, "file");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  torch::nn::Sequential wider(torch::nn::Linear(3, 5),
                              torch::nn::BatchNorm1d(5));
  const auto before = wider->parameters()[0].clone();
  EXPECT_TRUE(contains(refusal(*wider), "file: 'net' does not fit"));
  EXPECT_TRUE(torch::equal(wider->parameters()[0], before))
      << "a refused file changed the module";
  torch::nn::Sequential fewer(torch::nn::Linear(3, 4));
  EXPECT_TRUE(contains(refusal(*fewer), "holds 7 tensors for it"));
  torch::nn::Sequential more(torch::nn::Linear(3, 4), torch::nn::BatchNorm1d(4),
                             torch::nn::Linear(4, 1));
  EXPECT_TRUE(contains(refusal(*more), "no tensor '2.weight'"));
  stored.clear();
  EXPECT_TRUE(contains(refusal(*b), "checkpoint has no 'net'"));
}

}  // namespace
}  // namespace gan::io
