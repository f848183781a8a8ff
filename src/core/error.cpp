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

  // One line: later lines of libtorch messages are context we do not need.
  const auto newline = message.find('\n');
  if (newline != std::string::npos) message.resize(newline);
  return message;
}

}  // namespace gan
