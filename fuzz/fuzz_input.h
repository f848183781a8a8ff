// Shared by the fuzz targets: a scratch file per process for parsers that
// read from a path, and the rule every target enforces: bad bytes may only
// end in gan::Error. Any other exception, like any crash or sanitizer
// report, is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

#include "gan/core/error.h"

namespace gan::fuzz {

// A folder of this process's own, made once (and left for the OS's
// temporary-file cleaning: libFuzzer ends processes with _exit).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("gan-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes the input to `name` inside the scratch folder (or inside
// `subfolder` of it) and returns its path.
inline std::filesystem::path write_input(const uint8_t* data, size_t size,
                                         const std::string& name,
                                         const std::string& subfolder = "") {
  auto dir = scratch_dir();
  if (!subfolder.empty()) {
    dir /= subfolder;
    std::filesystem::create_directories(dir);
  }
  const auto path = dir / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data),
            static_cast<std::streamsize>(size));
  return path;
}

// Runs `parse`; gan::Error is the expected answer to bad input, anything
// else aborts with the exception's message so that libFuzzer records it.
template <class Parse>
void expect_only_gan_errors(Parse&& parse) {
  try {
    parse();
  } catch (const gan::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: not a gan::Error: %s: %.2000s\n",
                 typeid(e).name(), e.what());
    std::abort();
  }
}

}  // namespace gan::fuzz
