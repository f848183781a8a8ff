// One CIFAR-10 batch file's records (label byte + 3,072 pixel bytes each).
#include <span>

#include "fuzz_input.h"
#include "gan/data/cifar10.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gan::fuzz::expect_only_gan_errors([&] {
    gan::data::parse_cifar10_batch(std::span<const uint8_t>(data, size),
                                   "input.bin",
                                   gan::data::PixelRange::kMinusOneOne);
  });
  return 0;
}
