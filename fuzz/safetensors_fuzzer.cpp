// safetensors files, as exported generators are read back.
#include "fuzz_input.h"
#include "gan/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = gan::fuzz::write_input(data, size, "input.safetensors");
  gan::fuzz::expect_only_gan_errors([&] { gan::io::read_safetensors(path); });
  return 0;
}
