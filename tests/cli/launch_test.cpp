// `gan train --nproc N` as users run it: workers that form one job and
// leave one run folder, a killed worker that stops the job with its rank
// named, and a port in use or a batch that does not split as one line.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_util.h"

extern char** environ;

namespace gan {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `gan ARGS` (split on spaces) started in the background, its output going
// to files; `env` is added to this process's environment.
class Process {
 public:
  Process(const std::string& args, const fs::path& dir,
          const std::vector<std::string>& env = {})
      : out_(dir / "stdout.txt"), err_(dir / "stderr.txt") {
    std::vector<std::string> argv{GAN_BINARY};
    std::istringstream words(args);
    for (std::string w; words >> w;) argv.push_back(w);
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
    const int rc = posix_spawn(&pid_, args_c[0], &actions, nullptr,
                               args_c.data(), env_c.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn failed");
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  pid_t pid() const { return pid_; }

  // Exit status, or 128 + the signal that ended it.
  int wait() {
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
    pid_ = -1;
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  }

  std::string out() const { return testing::read_bytes(out_); }
  std::string err() const { return testing::read_bytes(err_); }

 private:
  static std::vector<char*> c_strings(const std::vector<std::string>& in) {
    std::vector<char*> out;
    for (const auto& s : in) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
  }

  pid_t pid_ = -1;
  fs::path out_, err_;
};

// The children of `pid` with their RANK (from their environment).
std::map<int, pid_t> workers_of(pid_t pid) {
  std::map<int, pid_t> ranks;
  std::ifstream children(fmt::format("/proc/{}/task/{}/children", pid, pid));
  for (pid_t child; children >> child;) {
    const auto env =
        testing::read_bytes(fmt::format("/proc/{}/environ", child));
    const auto at = env.find(std::string("\0RANK=", 6));
    if (at == std::string::npos) continue;
    ranks[std::atoi(env.c_str() + at + 6)] = child;
  }
  return ranks;
}

class LaunchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_ / "data", 60, 20);
    testing::write_bytes(
        dir_ / "tiny.toml",
        "[data]\npath = \"" + (dir_ / "data").string() +
            "\"\ntrain_size = 50\n"
            "[model]\nlatent_dim = 8\n"
            "[model.mlp]\ng_hidden = [16]\nd_hidden = [12]\nd_pieces = 2\n"
            "[train]\nbatch_size = 10\nepochs = 2\nthreads = 2\n"
            "[log]\nevery_steps = 5\ngrid_count = 4\n");
  }

  std::string train_args(const std::string& out) const {
    return "train --config " + (dir_ / "tiny.toml").string() + " --out " +
           (dir_ / out).string() + " --quiet";
  }

  TempDir dir_;
};

TEST_F(LaunchTest, TwoWorkersLeaveOneRunFolderThatResumesAlone) {
  {
    Process p(train_args("run") + " --nproc 2 --max-steps 7", dir_.path());
    ASSERT_EQ(p.wait(), 0) << p.err();
    // Only rank 0 reports, with what each worker all-reduced per step.
    const auto out = p.out();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
    EXPECT_TRUE(contains(out, "trained 7 steps")) << out;
    EXPECT_TRUE(contains(out, "2 workers; each all-reduced")) << out;
  }
  EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoints" / "step-000000007.ckpt"));

  // The checkpoint is a plain one: one process continues it.
  Process p(
      "train --resume " + (dir_ / "run").string() + " --quiet --max-steps 10",
      dir_.path());
  ASSERT_EQ(p.wait(), 0) << p.err();
  EXPECT_TRUE(contains(p.out(), "trained 3 steps")) << p.out();
}

TEST_F(LaunchTest, AKilledWorkerStopsTheJobNamingItsRank) {
  Process p(train_args("run") +
                " --nproc 2 --dist-timeout 5 --set train.epochs=100000",
            dir_.path());
  // Wait until both train (rank 0 has logged a line), then kill rank 1.
  const auto metrics = dir_ / "run" / "metrics.jsonl";
  const auto start = std::chrono::steady_clock::now();
  while ((!fs::exists(metrics) || fs::file_size(metrics) == 0) &&
         std::chrono::steady_clock::now() - start < 60s) {
    std::this_thread::sleep_for(20ms);
  }
  const auto workers = workers_of(p.pid());
  ASSERT_EQ(workers.size(), 2u);
  kill(workers.at(1), SIGKILL);

  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(p.wait(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 15s);
  EXPECT_TRUE(contains(p.err(), fmt::format("worker rank 1 (pid {}) was killed "
                                            "by signal 9",
                                            workers.at(1))))
      << p.err();
  // No worker outlives the job.
  EXPECT_NE(kill(workers.at(0), 0), 0);
}

TEST_F(LaunchTest, APortInUseIsOneLine) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  listen(fd, 1);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  // Through --nproc, and as a torchrun worker (rank 0 serves the store).
  {
    Process p(
        train_args("a") + fmt::format(" --nproc 2 --master-port {}", port),
        dir_.path());
    EXPECT_EQ(p.wait(), 1);
    EXPECT_EQ(p.err(), fmt::format("gan: error: --master-port {}: the port is "
                                   "already in use on this machine; pick "
                                   "another, or 0 for any free port\n",
                                   port));
  }
  Process p(train_args("b") + " --dist-timeout 5", dir_.path(),
            {"RANK=0", "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1",
             fmt::format("MASTER_PORT={}", port)});
  EXPECT_EQ(p.wait(), 1);
  const auto err = p.err();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_TRUE(
      contains(err, fmt::format("rank 0: port {} is already in use", port)))
      << err;
  close(fd);
  EXPECT_FALSE(fs::exists(dir_ / "a"));
  EXPECT_FALSE(fs::exists(dir_ / "b"));
}

TEST_F(LaunchTest, ABatchThatDoesNotSplitIsRefused) {
  Process p(train_args("run") + " --nproc 2 --batch-size 9", dir_.path());
  EXPECT_EQ(p.wait(), 1);
  EXPECT_TRUE(contains(p.err(),
                       "train.batch_size = 9 does not split over 2 "
                       "workers"))
      << p.err();
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

}  // namespace
}  // namespace gan
