// Coverage for libFuzzer from GCC's instrumentation: GCC calls
// __sanitizer_cov_trace_pc at the start of every basic block of gan's code
// (-fsanitize-coverage=trace-pc); each call bumps a counter chosen by the
// block's address in an array that libFuzzer reads as "extra counters"
// (the section __libfuzzer_extra_counters). Two blocks may share a
// counter; with 64 Ki counters and gan's few thousand blocks, rarely.
// GCC's comparison tracing (-fsanitize-coverage=trace-cmp) also reports
// float and double comparisons, which libFuzzer has no use for: they get
// empty callbacks. This file itself is not instrumented.
#include <cstdint>

namespace {
constexpr uintptr_t kCounters = uintptr_t{1} << 16;
}  // namespace

extern "C" {

__attribute__((section("__libfuzzer_extra_counters"), used))
uint8_t gan_fuzz_counters[kCounters];

__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  uint8_t& counter = gan_fuzz_counters[(pc ^ (pc >> 16)) % kCounters];
  if (counter != 255) ++counter;  // saturate: a wrap would hide a block
}

__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpf(float,
                                                                      float) {}
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpd(double,
                                                                      double) {}

}  // extern "C"
