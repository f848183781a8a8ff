// Test fixtures.
#include "test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include <zlib.h>

extern char** environ;

namespace gan::testing {
namespace fs = std::filesystem;

namespace {

// argv/envp arrays for posix_spawn, pointing into `in`.
std::vector<char*> c_strings(const std::vector<std::string>& in) {
  std::vector<char*> out;
  for (const auto& s : in) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, fs::path out,
                 fs::path err, const std::vector<std::string>& env)
    : out_(std::move(out)), err_(std::move(err)) {
  std::vector<std::string> env_strings(env);
  for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto args_c = c_strings(argv);
  const auto env_c = c_strings(env_strings);
  const int rc = posix_spawn(&pid_, args_c[0], &actions, nullptr, args_c.data(),
                             env_c.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed: " + argv[0]);
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

void Process::signal(int sig) const { ::kill(pid_, sig); }

int Process::wait() {
  int raw = 0;
  ::waitpid(pid_, &raw, 0);
  pid_ = -1;
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

std::string Process::out() const { return read_bytes(out_); }
std::string Process::err() const { return read_bytes(err_); }

TempDir::TempDir() {
  std::random_device entropy;
  path_ =
      fs::temp_directory_path() / ("gan-test-" + std::to_string(::getpid()) +
                                   "-" + std::to_string(entropy()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string idx_bytes(const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data) {
  std::string out = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    out += static_cast<char>(d >> 24);
    out += static_cast<char>(d >> 16);
    out += static_cast<char>(d >> 8);
    out += static_cast<char>(d);
  }
  out.append(data.begin(), data.end());
  return out;
}

std::string gzip(const std::string& bytes) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, bytes.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_mnist_folder(const fs::path& dir, int64_t train, int64_t test,
                        int64_t size, bool gzipped) {
  fs::create_directories(dir);
  auto write_set = [&](const std::string& prefix, int64_t n) {
    std::vector<uint8_t> pixels(static_cast<size_t>(n * size * size), 0);
    std::vector<uint8_t> labels(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t label = i % 10;
      labels[static_cast<size_t>(i)] = static_cast<uint8_t>(label);
      // A horizontal bar two pixels high at a class-dependent row.
      const int64_t row = 2 + label * (size - 4) / 10;
      for (int64_t r = row; r < row + 2; ++r) {
        for (int64_t c = 2; c < size - 2; ++c) {
          pixels[static_cast<size_t>((i * size + r) * size + c)] =
              static_cast<uint8_t>(200 + (i * 7 + c) % 56);
        }
      }
    }
    const std::string suffix = gzipped ? ".gz" : "";
    auto images =
        idx_bytes({static_cast<uint32_t>(n), static_cast<uint32_t>(size),
                   static_cast<uint32_t>(size)},
                  pixels);
    auto label_bytes = idx_bytes({static_cast<uint32_t>(n)}, labels);
    if (gzipped) {
      images = gzip(images);
      label_bytes = gzip(label_bytes);
    }
    write_bytes(dir / (prefix + "-images-idx3-ubyte" + suffix), images);
    write_bytes(dir / (prefix + "-labels-idx1-ubyte" + suffix), label_bytes);
  };
  write_set("train", train);
  write_set("t10k", test);
}

train::Config tiny_config(const fs::path& data_dir) {
  train::Config config;
  config.data.path = data_dir.string();
  config.data.train_size = 50;
  config.model.latent_dim = 8;
  config.model.mlp.g_hidden = {16};
  config.model.mlp.d_hidden = {12};
  config.model.mlp.d_pieces = 2;
  config.train.batch_size = 10;
  config.train.epochs = 2;
  config.train.threads = 1;
  config.log.every_steps = 2;
  config.log.grid_count = 4;
  return config;
}

std::string tiny_config_toml(const fs::path& data_dir, const std::string& train,
                             const std::string& log) {
  return "[data]\npath = \"" + data_dir.string() +
         "\"\ntrain_size = 50\n"
         "[model]\nlatent_dim = 8\n"
         "[model.mlp]\ng_hidden = [16]\nd_hidden = [12]\nd_pieces = 2\n"
         "[train]\nbatch_size = 10\n" +
         train + "[log]\ngrid_count = 4\n" + log;
}

}  // namespace gan::testing
