// Turning exceptions into the single line a user reads.
#include "gan/core/error.h"

#include <c10/util/Exception.h>

namespace gan {

std::string describe(const std::exception& e) {
  std::string message;
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) {
    message = torch_error->what_without_backtrace();
  } else {
    message = e.what();
  }

  // One line, the first that says something: later lines of libtorch
  // messages are context we do not need, and its TorchScript errors start
  // with an empty one.
  const auto start = message.find_first_not_of(" \n");
  if (start == std::string::npos) return "unknown error";
  const auto end = message.find('\n', start);
  return message.substr(start, end == std::string::npos ? end : end - start);
}

}  // namespace gan
