// TOML training configs: parsed over the defaults, then validated.
#include <string_view>

#include "fuzz_input.h"
#include "gan/train/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gan::fuzz::expect_only_gan_errors([&] {
    const auto config = gan::train::parse_config(text, "input.toml");
    gan::train::validate(config);
  });
  return 0;
}
