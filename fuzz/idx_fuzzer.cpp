// IDX files (MNIST and its kin), plain or gzip, as read_idx reads them.
#include "fuzz_input.h"
#include "gan/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = gan::fuzz::write_input(data, size, "input.idx");
  gan::fuzz::expect_only_gan_errors([&] { gan::data::read_idx(path); });
  return 0;
}
