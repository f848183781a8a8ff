#include "gan/core/error.h"

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace gan {
namespace {

TEST(DescribeTest, KeepsTheFirstLineThatSaysSomething) {
  EXPECT_EQ(describe(Error("a: b\nmore")), "a: b");
  // libtorch's TorchScript errors start with an empty line.
  EXPECT_EQ(describe(std::runtime_error("\nUnknown type name 'x':\n  File")),
            "Unknown type name 'x':");
  EXPECT_EQ(describe(std::runtime_error("")), "unknown error");
}

TEST(DescribeTest, LeavesOutLibtorchsBacktrace) {
  try {
    TORCH_CHECK(false, "tensor sizes differ");
  } catch (const c10::Error& e) {
    EXPECT_EQ(describe(e), "tensor sizes differ");
  }
}

}  // namespace
}  // namespace gan
