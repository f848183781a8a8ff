// The one exception type gan throws for failures a user can cause: a missing
// or malformed file, an unknown config key, a bad value. Its message names
// what was expected, what was found and, where it helps, what to do.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace gan {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns the message of `e` on one line, without the C++ backtrace that
// libtorch appends to its own errors. Never throws.
std::string describe(const std::exception& e);

}  // namespace gan
