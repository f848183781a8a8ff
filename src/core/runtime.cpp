// Threads, BLAS detection and device selection.
#include "gan/core/runtime.h"

#include <dlfcn.h>
#include <sched.h>

#include <fmt/format.h>

#include "gan/core/error.h"

namespace gan {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int configure_threads(int requested) {
  const int threads = requested > 0 ? requested : available_cores();
  torch::set_num_threads(threads);
  return threads;
}

std::string blas_backend() {
  // libtorch links libblas.so.3, which Debian's alternatives point at either
  // OpenBLAS or the reference implementation; only OpenBLAS and MKL export
  // these symbols, so looking them up tells which one was loaded.
  using ConfigFn = char* (*)();
  if (auto fn = reinterpret_cast<ConfigFn>(
          dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    return fmt::format("OpenBLAS ({})", fn());
  }
  if (dlsym(RTLD_DEFAULT, "mkl_get_version") != nullptr) return "MKL";
  return "reference";
}

bool blas_is_optimised() { return blas_backend() != "reference"; }

c10::Device parse_device(const std::string& name) {
  c10::optional<c10::Device> device;
  try {
    device = c10::Device(name);
  } catch (const std::exception&) {
    throw Error(fmt::format(
        "device '{}': expected 'cpu', 'cuda' or 'cuda:N'", name));
  }
  if (device->is_cuda()) {
    if (!torch::cuda::is_available()) {
      throw Error(fmt::format(
          "device '{}': this libtorch build has no usable CUDA; "
          "hint: use --device cpu or a CUDA build of libtorch", name));
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (device->has_index() && device->index() >= count) {
      throw Error(fmt::format("device '{}': only {} CUDA device(s) found",
                              name, count));
    }
  } else if (!device->is_cpu()) {
    throw Error(fmt::format(
        "device '{}': expected 'cpu', 'cuda' or 'cuda:N'", name));
  }
  return *device;
}

}  // namespace gan
