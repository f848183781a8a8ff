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

namespace gan {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::contains;

using testing::Process;

// `gan ARGS` (split on spaces) started in the background, its output going
// to DIR/stdout.txt and DIR/stderr.txt; `env` is added to the environment.
Process start_gan(const std::string& args, const fs::path& dir,
                  const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv{GAN_BINARY};
  std::istringstream words(args);
  for (std::string w; words >> w;) argv.push_back(w);
  return Process(argv, dir / "stdout.txt", dir / "stderr.txt", env);
}

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
        testing::tiny_config_toml(dir_ / "data", "epochs = 2\nthreads = 2\n",
                                  "every_steps = 5\n"));
  }

  std::string train_args(const std::string& out) const {
    return "train --config " + (dir_ / "tiny.toml").string() + " --out " +
           (dir_ / out).string() + " --quiet";
  }

  TempDir dir_;
};

TEST_F(LaunchTest, TwoWorkersLeaveOneRunFolderThatResumesAlone) {
  {
    Process p =
        start_gan(train_args("run") + " --nproc 2 --max-steps 7", dir_.path());
    ASSERT_EQ(p.wait(), 0) << p.err();
    // Only rank 0 reports, with what each worker all-reduced per step.
    const auto out = p.out();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
    EXPECT_TRUE(contains(out, "trained 7 steps")) << out;
    EXPECT_TRUE(contains(out, "2 workers; each all-reduced")) << out;
  }
  EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoints" / "step-000000007.ckpt"));

  // The checkpoint is a plain one: one process continues it.
  Process p = start_gan(
      "train --resume " + (dir_ / "run").string() + " --quiet --max-steps 10",
      dir_.path());
  ASSERT_EQ(p.wait(), 0) << p.err();
  EXPECT_TRUE(contains(p.out(), "trained 3 steps")) << p.out();
}

TEST_F(LaunchTest, AKilledWorkerStopsTheJobNamingItsRank) {
  Process p =
      start_gan(train_args("run") +
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
    Process p = start_gan(
        train_args("a") + fmt::format(" --nproc 2 --master-port {}", port),
        dir_.path());
    EXPECT_EQ(p.wait(), 1);
    EXPECT_EQ(p.err(), fmt::format("gan: error: --master-port {}: the port is "
                                   "already in use on this machine; pick "
                                   "another, or 0 for any free port\n",
                                   port));
  }
  Process p = start_gan(train_args("b") + " --dist-timeout 5", dir_.path(),
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
  Process p =
      start_gan(train_args("run") + " --nproc 2 --batch-size 9", dir_.path());
  EXPECT_EQ(p.wait(), 1);
  EXPECT_TRUE(contains(p.err(),
                       "train.batch_size = 9 does not split over 2 "
                       "workers"))
      << p.err();
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

}  // namespace
}  // namespace gan
