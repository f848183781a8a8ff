// Entry point of every test executable. libtorch's first matrix product
// otherwise runs with OpenBLAS's own thread count and later ones with
// libtorch's, which rounds differently; fixing the count up front makes
// every test's arithmetic repeatable.
#include <gtest/gtest.h>

#include "gan/core/runtime.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  gan::configure_threads(1);
  return RUN_ALL_TESTS();
}
