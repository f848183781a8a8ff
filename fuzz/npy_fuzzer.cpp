// .npy arrays, as gan eval --npy reads them.
#include "fuzz_input.h"
#include "gan/io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = gan::fuzz::write_input(data, size, "input.npy");
  gan::fuzz::expect_only_gan_errors([&] { gan::io::read_npy(path); });
  return 0;
}
