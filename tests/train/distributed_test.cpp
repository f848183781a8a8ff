// Data-parallel training on loopback: two worker processes (this test
// executable again, started with torchrun's variables) against one
// process with the whole batch; weights after every step, resuming across
// worker counts, and a worker that dies or hangs.
#include "gan/train/distributed.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/train/trainer.h"
#include "test_util.h"

extern char** environ;

namespace gan::train {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What a worker is told through its environment, besides torchrun's
// variables.
constexpr const char* kWorkerDir = "GAN_TEST_WORKER_DIR";  // config, output
constexpr const char* kWorkerSteps = "GAN_TEST_WORKER_STEPS";
constexpr const char* kWorkerResume = "GAN_TEST_WORKER_RESUME";  // optional
constexpr const char* kWorkerSave = "GAN_TEST_WORKER_SAVE";      // optional

// Every parameter of G and D, flattened into one float tensor.
torch::Tensor flat_weights(Trainer& t) {
  std::vector<torch::Tensor> all;
  for (const auto& p : t.generator().parameters()) all.push_back(p.reshape(-1));
  for (const auto& p : t.discriminator().parameters()) {
    all.push_back(p.reshape(-1));
  }
  return torch::cat(all).detach().clone();
}

void write_tensor(const fs::path& path, const torch::Tensor& t) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(t.data_ptr()),
            static_cast<std::streamsize>(t.nbytes()));
}

torch::Tensor read_tensor(const fs::path& path) {
  const auto bytes = testing::read_bytes(path);
  auto t = torch::empty({static_cast<int64_t>(bytes.size() / sizeof(float))});
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The worker's side: join the job, train the steps, write the weights
// after each one (and a checkpoint when asked). Runs only as a child of
// the tests below; skipped otherwise.
TEST(DistributedWorker, TrainsAsOneRankOfTheJob) {
  if (std::getenv(kWorkerDir) == nullptr) GTEST_SKIP() << "not a worker";
  const fs::path dir = env(kWorkerDir);
  auto options = distributed_options_from_env();
  ASSERT_TRUE(options.has_value());
  options->timeout = 3s;
  auto communicator = std::make_shared<Communicator>(*options);
  const auto config = load_config(dir / "config.toml");
  Trainer trainer(config, data::load_dataset(config.data, data::Split::kTrain),
                  torch::kCPU, communicator);
  if (*env(kWorkerResume) != '\0') trainer.load_checkpoint(env(kWorkerResume));
  trainer.synchronize_weights();

  const int steps = std::atoi(env(kWorkerSteps));
  for (int s = 0; s < steps; ++s) {
    trainer.step();
    write_tensor(dir / fmt::format("rank{}-step{}.bin", options->rank, s),
                 flat_weights(trainer));
  }
  if (*env(kWorkerSave) != '\0' && options->rank == 0) {
    trainer.save_checkpoint(env(kWorkerSave));
  }
}

// A free TCP port on this machine (another process may take it before
// the job does; unlikely in a test run).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// One worker process: this executable, running the test above.
class Worker {
 public:
  Worker(int rank, int world, int port, const fs::path& dir, int steps,
         const std::string& resume, const std::string& save) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
    env_strings.push_back(fmt::format("RANK={}", rank));
    env_strings.push_back(fmt::format("WORLD_SIZE={}", world));
    env_strings.push_back(fmt::format("MASTER_PORT={}", port));
    env_strings.push_back("MASTER_ADDR=127.0.0.1");
    env_strings.push_back(fmt::format("{}={}", kWorkerDir, dir.string()));
    env_strings.push_back(fmt::format("{}={}", kWorkerSteps, steps));
    env_strings.push_back(fmt::format("{}={}", kWorkerResume, resume));
    env_strings.push_back(fmt::format("{}={}", kWorkerSave, save));
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::string program = "/proc/self/exe";
    std::string filter =
        "--gtest_filter=DistributedWorker.TrainsAsOneRankOfTheJob";
    char* argv[] = {program.data(), filter.data(), nullptr};
    log_ = dir / fmt::format("rank{}.log", rank);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd : {1, 2}) {
      posix_spawn_file_actions_addopen(&actions, fd, log_.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv,
                               envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn failed");
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }

  void signal(int sig) const { kill(pid_, sig); }

  // Exit status, or 128 + the signal that ended it.
  int wait() {
    int raw = 0;
    waitpid(pid_, &raw, 0);
    pid_ = -1;
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  }

  std::string log() const { return testing::read_bytes(log_); }

 private:
  pid_t pid_ = -1;
  fs::path log_;
};

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_ / "data", 60, 20);
    config_ = testing::tiny_config(dir_ / "data");
    // No dropout: then two half batches see exactly what one whole batch
    // sees. Losses are means over the batch, so the mean of the two
    // halves' gradients is the whole batch's gradient.
    config_.model.mlp.d_input_keep = 1.0;
    config_.model.mlp.d_hidden_keep = 1.0;
    config_.optim.momentum = 0.5;
  }

  // Runs `steps` steps on two workers; returns each rank's logs joined.
  std::string run_two_workers(int steps, const std::string& resume = "",
                              const std::string& save = "") {
    write_file(dir_ / "config.toml", to_toml(config_));
    const int port = free_port();
    Worker rank0(0, 2, port, dir_.path(), steps, resume, save);
    Worker rank1(1, 2, port, dir_.path(), steps, resume, save);
    const int status0 = rank0.wait();
    const int status1 = rank1.wait();
    const auto logs = rank0.log() + rank1.log();
    EXPECT_EQ(status0, 0) << logs;
    EXPECT_EQ(status1, 0) << logs;
    return logs;
  }

  static void write_file(const fs::path& path, const std::string& text) {
    testing::write_bytes(path, text);
  }

  Trainer single_process() const {
    return Trainer(config_,
                   data::load_dataset(config_.data, data::Split::kTrain),
                   torch::kCPU);
  }

  torch::Tensor worker_weights(int rank, int step) const {
    return read_tensor(dir_ / fmt::format("rank{}-step{}.bin", rank, step));
  }

  TempDir dir_;
  Config config_;
};

// How far `a` is from `b`, relative to how far training has moved `b`
// from the initial weights `start`: the largest difference over the
// largest displacement. Comparing displacements rather than weights keeps
// a missing average from hiding under the size of the weights.
double relative_difference(const torch::Tensor& a, const torch::Tensor& b,
                           const torch::Tensor& start) {
  return ((a - b).abs().max() / (b - start).abs().max()).item<double>();
}

constexpr double kTolerance = 1e-5;

class DistributedPathTest : public DistributedTest,
                            public ::testing::WithParamInterface<bool> {};

TEST_P(DistributedPathTest, TwoHalfBatchesMatchOneWholeBatch) {
  config_.train.fast_path = GetParam();
  constexpr int kSteps = 6;  // more than an epoch (5 steps)
  run_two_workers(kSteps);

  auto single = single_process();
  ASSERT_EQ(single.uses_fast_path(), GetParam());
  const auto start = flat_weights(single);
  for (int s = 0; s < kSteps; ++s) {
    single.step();
    const auto rank0 = worker_weights(0, s);
    // Both ranks hold the same weights after every step, bit for bit.
    EXPECT_TRUE(torch::equal(rank0, worker_weights(1, s))) << "step " << s;
    const double difference =
        relative_difference(rank0, flat_weights(single), start);
    EXPECT_LT(difference, kTolerance) << "step " << s;
    RecordProperty(fmt::format("difference_step{}", s),
                   fmt::format("{:.3g}", difference));
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, DistributedPathTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "FastPath" : "Autograd";
                         });

TEST_F(DistributedTest, TwoWorkerCheckpointResumesInOneProcess) {
  const auto checkpoint = dir_ / "two.ckpt";
  run_two_workers(3, "", checkpoint.string());

  // Two workers' 3 steps, then 3 alone == 6 steps alone. (One trainer at
  // a time: they share libtorch's default generator.)
  auto straight = single_process();
  const auto start = flat_weights(straight);
  for (int s = 0; s < 6; ++s) straight.step();
  auto resumed = single_process();
  resumed.load_checkpoint(checkpoint);
  ASSERT_EQ(resumed.steps_done(), 3);
  for (int s = 0; s < 3; ++s) resumed.step();
  const double difference =
      relative_difference(flat_weights(resumed), flat_weights(straight), start);
  EXPECT_LT(difference, kTolerance);
  RecordProperty("difference", fmt::format("{:.3g}", difference));
}

TEST_F(DistributedTest, OneProcessCheckpointResumesOnTwoWorkers) {
  const auto checkpoint = dir_ / "one.ckpt";
  auto first = single_process();
  const auto start = flat_weights(first);
  for (int s = 0; s < 3; ++s) first.step();
  first.save_checkpoint(checkpoint);
  for (int s = 0; s < 3; ++s) first.step();

  run_two_workers(3, checkpoint.string());
  for (int rank : {0, 1}) {
    const double difference = relative_difference(worker_weights(rank, 2),
                                                  flat_weights(first), start);
    EXPECT_LT(difference, kTolerance) << "rank " << rank;
    RecordProperty(fmt::format("difference_rank{}", rank),
                   fmt::format("{:.3g}", difference));
  }
}

// Starts two workers on a long run and ends rank 1 by `signal` once
// training is under way; returns rank 0's exit status, log and how long it
// took to stop after the signal.
struct Outcome {
  int status;
  std::string log;
  std::chrono::duration<double> stopped_after;
};

Outcome lose_rank_one(const fs::path& dir, int sig) {
  const int port = free_port();
  Worker rank0(0, 2, port, dir, 100000, "", "");
  Worker rank1(1, 2, port, dir, 100000, "", "");
  const auto started = std::chrono::steady_clock::now();
  while (!fs::exists(dir / "rank1-step2.bin") &&
         std::chrono::steady_clock::now() - started < 60s) {
    std::this_thread::sleep_for(20ms);
  }
  rank1.signal(sig);
  const auto signalled = std::chrono::steady_clock::now();
  const int status = rank0.wait();
  const auto stopped = std::chrono::steady_clock::now() - signalled;
  rank1.signal(SIGKILL);
  rank1.wait();
  return {status, rank0.log(), stopped};
}

TEST_F(DistributedTest, ADeadWorkerStopsTheOtherWithItsRank) {
  write_file(dir_ / "config.toml", to_toml(config_));
  const auto outcome = lose_rank_one(dir_.path(), SIGKILL);
  EXPECT_NE(outcome.status, 0) << outcome.log;
  EXPECT_NE(outcome.log.find("rank 0: exchanging"), std::string::npos)
      << outcome.log;
  EXPECT_NE(outcome.log.find("rank 1 stopped or did not answer"),
            std::string::npos)
      << outcome.log;
  // The workers' timeout is 3 s; a dead peer is noticed at once.
  EXPECT_LT(outcome.stopped_after.count(), 10.0);
}

TEST_F(DistributedTest, AHungWorkerStopsTheOtherWithinTheTimeout) {
  write_file(dir_ / "config.toml", to_toml(config_));
  const auto outcome = lose_rank_one(dir_.path(), SIGSTOP);
  EXPECT_NE(outcome.status, 0) << outcome.log;
  EXPECT_NE(outcome.log.find("rank 1 stopped or did not answer within 3 s"),
            std::string::npos)
      << outcome.log;
  EXPECT_GT(outcome.stopped_after.count(), 2.0);
  EXPECT_LT(outcome.stopped_after.count(), 10.0);
}

TEST(DistributedOptionsTest, ComeFromTorchrunsVariables) {
  setenv("RANK", "1", 1);
  setenv("WORLD_SIZE", "4", 1);
  setenv("LOCAL_WORLD_SIZE", "2", 1);
  setenv("MASTER_ADDR", "10.0.0.1", 1);
  setenv("MASTER_PORT", "29500", 1);
  const auto options = distributed_options_from_env();
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->rank, 1);
  EXPECT_EQ(options->world_size, 4);
  EXPECT_EQ(options->local_world_size, 2);
  EXPECT_EQ(options->master_addr, "10.0.0.1");
  EXPECT_EQ(options->master_port, 29500);

  setenv("RANK", "4", 1);
  EXPECT_THROW(distributed_options_from_env(), Error);
  unsetenv("MASTER_PORT");
  setenv("RANK", "0", 1);
  EXPECT_THROW(distributed_options_from_env(), Error);
  for (const char* name :
       {"RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR"}) {
    unsetenv(name);
  }
  EXPECT_FALSE(distributed_options_from_env().has_value());
}

TEST(DistributedOptionsTest, RankSeedsDifferAndRankZeroKeepsTheSeed) {
  EXPECT_EQ(rank_seed(7, 0), 7u);
  EXPECT_NE(rank_seed(7, 1), rank_seed(7, 2));
  EXPECT_NE(rank_seed(7, 1), 7u);
}

}  // namespace
}  // namespace gan::train
