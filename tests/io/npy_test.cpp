#include "gan/io/npy.h"

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "test_util.h"

namespace gan::io {
namespace {

using testing::TempDir;

bool numpy_available() {
  return std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0;
}

std::string run_python(const std::string& code) {
  const std::string command = "/usr/bin/python3 -c \"" + code + "\"";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe)) out += buffer;
  pclose(pipe);
  return out;
}

TEST(NpyTest, EveryDtypeRoundTrips) {
  TempDir dir;
  const std::vector<torch::Tensor> tensors = {
      torch::randint(0, 256, {3, 4, 5, 1}).to(torch::kByte),
      torch::randn({7, 2}),
      torch::randn({5}, torch::kFloat64),
      torch::arange(12, torch::kInt64).reshape({3, 4}),
  };
  for (const auto& t : tensors) {
    write_npy(dir / "a.npy", t);
    const auto back = read_npy(dir / "a.npy");
    EXPECT_EQ(back.scalar_type(), t.scalar_type());
    EXPECT_TRUE(torch::equal(back, t));
  }
}

TEST(NpyTest, DataStartsOnA64ByteBoundary) {
  TempDir dir;
  write_npy(dir / "a.npy", torch::zeros({2, 3}, torch::kByte));
  const auto bytes = testing::read_bytes(dir / "a.npy");
  EXPECT_EQ(bytes.size() % 64, 6u);  // 6 data bytes after a padded header
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
}

TEST(NpyTest, NumpyReadsWhatGanWrites) {
  if (!numpy_available()) GTEST_SKIP() << "python3-numpy is not installed";
  TempDir dir;
  auto images = torch::arange(2 * 28 * 28)
                    .remainder(256)
                    .to(torch::kByte)
                    .reshape({2, 28, 28, 1});
  write_npy(dir / "s.npy", images);
  const auto out =
      run_python("import numpy as n; a = n.load('" + (dir / "s.npy").string() +
                 "'); print(a.dtype, a.shape, int(a.sum()))");
  EXPECT_EQ(out, "uint8 (2, 28, 28, 1) " +
                     std::to_string(images.sum().item<int64_t>()) + "\n");
}

TEST(NpyTest, GanReadsWhatNumpyWrites) {
  if (!numpy_available()) GTEST_SKIP() << "python3-numpy is not installed";
  TempDir dir;
  const auto path = (dir / "p.npy").string();
  run_python("import numpy as n; n.save('" + path +
             "', n.arange(6, dtype=n.float32).reshape(3, 2) / 4)");
  const auto back = read_npy(path);
  EXPECT_TRUE(torch::equal(
      back, torch::arange(6, torch::kFloat32).reshape({3, 2}) / 4));
}

TEST(NpyTest, MalformedFilesAreRejectedByName) {
  TempDir dir;
  write_npy(dir / "good.npy", torch::zeros({4, 4}));
  const auto good = testing::read_bytes(dir / "good.npy");

  auto expect_error = [&](const std::string& bytes, const std::string& part) {
    testing::write_bytes(dir / "bad.npy", bytes);
    try {
      read_npy(dir / "bad.npy");
      ADD_FAILURE() << "expected an error mentioning " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.npy"), std::string::npos);
    }
  };
  expect_error("not numpy at all", "magic");
  expect_error(good.substr(0, good.size() - 4), "needs 64 bytes");
  auto fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  expect_error(fortran, "Fortran");
  auto complex = good;
  complex.replace(complex.find("<f4"), 3, "<c8");
  expect_error(complex, "not supported");
  expect_error(good.substr(0, 12), "truncated");
  // Found by fuzz/npy_fuzzer: a dimension of more digits than any integer
  // holds ended in std::out_of_range.
  // The same header length, so only the shape changes.
  auto huge = good;
  const size_t end = huge.find('\n');
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, "
      "'shape': (4, 88888888888888888888888), }";
  header.resize(end - 10, ' ');
  huge.replace(10, end - 10, header);
  expect_error(huge, "too large");
}

// Found by fuzz/npy_fuzzer: an array with no elements has no storage, and
// copying its (empty) data into it was undefined behaviour.
TEST(NpyTest, EmptyArraysRoundTrip) {
  TempDir dir;
  write_npy(dir / "empty.npy", torch::zeros({0, 3}, torch::kFloat32));
  const auto back = read_npy(dir / "empty.npy");
  EXPECT_EQ(back.sizes(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(back.scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace gan::io
