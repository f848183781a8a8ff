// Process set-up shared by the subcommands.
#include "common.h"

#include <cstdio>

#include "gan/core/runtime.h"

namespace gan::cli {

void warn(const std::string& message) {
  fmt::print(stderr, "gan: warning: {}\n", message);
}

c10::Device set_up_process(int threads, const std::string& device) {
  configure_threads(threads);
  if (!blas_is_optimised()) {
    warn(
        "libtorch is using the reference BLAS, which trains about 20x "
        "slower; install libopenblas0-openmp (scripts/install-deps.sh does)");
  }
  return parse_device(device);
}

}  // namespace gan::cli
