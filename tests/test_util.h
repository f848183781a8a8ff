// Fixtures shared by the tests: temporary folders, hand-made IDX files and
// MNIST-format folders, and a configuration small enough to train in
// milliseconds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

#include "gan/train/config.h"

namespace gan::testing {

// A program started in the background (argv[0] is its path), its standard
// output and error going to files, `env` added to this process's
// environment. The destructor kills it if it was not waited for.
class Process {
 public:
  Process(const std::vector<std::string>& argv, std::filesystem::path out,
          std::filesystem::path err, const std::vector<std::string>& env = {});
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for it; its exit status, or 128 + the signal that ended it.
  int wait();
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_, err_;
};

// Whether `part` occurs in `text` (for messages and files a test reads).
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A fresh, empty folder under the system's temporary folder, removed (with
// everything in it) when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

// The bytes of an IDX file of unsigned bytes.
std::string idx_bytes(const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data);

// `bytes` gzip-compressed.
std::string gzip(const std::string& bytes);

void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);

// Writes an MNIST-format folder: `train` training and `test` test images of
// size x size pixels. Image i shows class i % 10 as a bright bar whose
// position depends on the class, so classes are easy to tell apart.
void write_mnist_folder(const std::filesystem::path& dir, int64_t train,
                        int64_t test, int64_t size = 28, bool gzipped = false);

// A config with tiny nets on an MNIST-format folder `data_dir` holding at
// least 60 training images: train_size 50, batch 10 (5 steps per epoch).
train::Config tiny_config(const std::filesystem::path& data_dir);

// The same tiny nets as the TOML a user would write for `gan train
// --config`, with `train` and `log` ("key = value\n" lines) added to those
// sections.
std::string tiny_config_toml(const std::filesystem::path& data_dir,
                             const std::string& train, const std::string& log);

}  // namespace gan::testing
