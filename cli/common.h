// Helpers every subcommand shares: process set-up (threads, BLAS check,
// device) and messages on standard error.
#pragma once

#include <string>

#include <c10/core/Device.h>
#include <fmt/format.h>

namespace gan::cli {

// Sets the thread count (0: every core), warns on standard error when
// libtorch runs on the reference BLAS, and parses the device name.
c10::Device set_up_process(int threads, const std::string& device);

// Prints "gan: warning: MESSAGE" on standard error.
void warn(const std::string& message);

}  // namespace gan::cli
