#include "gan/core/file.h"

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan {
namespace {

using testing::TempDir;

TEST(FileTest, MissingFileIsNamedInTheError) {
  TempDir dir;
  try {
    read_file(dir / "absent.bin");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.bin"), std::string::npos);
  }
}

TEST(FileTest, FolderIsNotAFile) {
  TempDir dir;
  EXPECT_THROW(read_file(dir.path()), Error);
}

TEST(FileTest, GzipContentIsDecompressedAndPlainContentPassesThrough) {
  TempDir dir;
  const std::string text(100000, 'x');
  testing::write_bytes(dir / "plain", text);
  testing::write_bytes(dir / "packed", testing::gzip(text));
  const auto plain = read_file_maybe_gzip(dir / "plain");
  const auto packed = read_file_maybe_gzip(dir / "packed");
  EXPECT_EQ(std::string(plain.begin(), plain.end()), text);
  EXPECT_EQ(std::string(packed.begin(), packed.end()), text);
}

TEST(FileTest, TruncatedGzipIsReported) {
  TempDir dir;
  std::string packed = testing::gzip(std::string(50000, 'a') + "tail");
  packed.resize(packed.size() / 2);
  testing::write_bytes(dir / "cut.gz", packed);
  try {
    read_file_maybe_gzip(dir / "cut.gz");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos)
        << e.what();
  }
}

TEST(FileTest, CorruptGzipIsReported) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i * 7919 % 10007);
  std::string packed = testing::gzip(text);
  for (size_t i = 20; i < packed.size() - 8; i += 97) packed[i] ^= 0x5a;
  testing::write_bytes(dir / "bad.gz", packed);
  EXPECT_THROW(read_file_maybe_gzip(dir / "bad.gz"), Error);
}

TEST(FileTest, DecompressionStopsAtTheSizeLimit) {
  TempDir dir;
  testing::write_bytes(dir / "big.gz",
                       testing::gzip(std::string(1 << 20, 'z')));
  EXPECT_THROW(read_file_maybe_gzip(dir / "big.gz", /*max_bytes=*/1000),
               Error);
}

TEST(FileTest, AtomicWriteReplacesContentAndLeavesNoTemporary) {
  TempDir dir;
  write_file_atomic(dir / "out.txt", "first");
  write_file_atomic(dir / "out.txt", "second");
  EXPECT_EQ(testing::read_bytes(dir / "out.txt"), "second");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(FileTest, AtomicWriteIntoMissingFolderFailsWithThePath) {
  TempDir dir;
  try {
    write_file_atomic(dir / "missing" / "out.txt", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out.txt"), std::string::npos);
  }
}

TEST(FileTest, EnsureWritableDirCreatesParents) {
  TempDir dir;
  ensure_writable_dir(dir / "a" / "b" / "c");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "a" / "b" / "c"));
}

TEST(FileTest, EnsureWritableDirFailsWhenAFileIsInTheWay) {
  TempDir dir;
  testing::write_bytes(dir / "file", "x");
  EXPECT_THROW(ensure_writable_dir(dir / "file" / "sub"), Error);
  EXPECT_THROW(ensure_writable_dir(dir / "file"), Error);
}

}  // namespace
}  // namespace gan
