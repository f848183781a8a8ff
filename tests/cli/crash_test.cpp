// What `gan train` promises when things go wrong around it: a process
// killed at any moment loses at most the work since its last checkpoint, a
// damaged checkpoint is refused and an older one used, SIGINT and SIGTERM
// save and exit cleanly, a full disk is one line and changes nothing, and
// two processes never train in one folder.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/io/checkpoint.h"
#include "gan/io/run_dir.h"
#include "gan/train/snapshot.h"
#include "test_util.h"

namespace gan {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::contains;

using testing::Process;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_ / "data", 60, 20);
    // Tiny nets, a checkpoint every epoch (5 steps), and more epochs than
    // any test waits for.
    testing::write_bytes(dir_ / "long.toml",
                         testing::tiny_config_toml(
                             dir_ / "data", "epochs = 1000000\nthreads = 1\n",
                             "every_steps = 5\ngrid_every_epochs = 100000\n"
                             "keep_checkpoints = 3\n"));
  }

  fs::path run() const { return dir_ / "run"; }
  fs::path latest() const { return run() / "checkpoints" / "latest.ckpt"; }

  std::vector<std::string> train(const std::vector<std::string>& extra,
                                 bool resume) const {
    std::vector<std::string> argv = {GAN_BINARY, "train", "--quiet"};
    if (resume) {
      argv.insert(argv.end(), {"--resume", run().string()});
    } else {
      argv.insert(argv.end(), {"--config", (dir_ / "long.toml").string(),
                               "--out", run().string()});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  Process start(const std::vector<std::string>& argv) const {
    return Process(argv, dir_ / "stdout.txt", dir_ / "stderr.txt");
  }

  Result finish(Process& p) const {
    Result r;
    r.status = p.wait();
    r.out = testing::read_bytes(dir_ / "stdout.txt");
    r.err = testing::read_bytes(dir_ / "stderr.txt");
    return r;
  }

  Result run_to_end(const std::vector<std::string>& argv) const {
    auto p = start(argv);
    return finish(p);
  }

  // Blocks until the run has written its first checkpoint.
  void wait_for_training() const {
    for (int i = 0; i < 600; ++i) {
      std::error_code ec;
      if (fs::exists(latest(), ec)) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "training never checkpointed";
  }

  int64_t latest_step() const {
    return train::read_checkpoint_info(latest()).step;
  }

  TempDir dir_;
};

TEST_F(CrashTest, SigkillAtTwentyRandomMomentsLosesNoCheckpoint) {
  ASSERT_EQ(run_to_end(train({"--max-steps", "10"}, false)).status, 0);
  int64_t step = latest_step();
  std::mt19937 random(7);
  std::uniform_int_distribution<int> delay_ms(50, 1500);
  for (int round = 0; round < 20; ++round) {
    auto p = start(train({}, true));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    p.signal(SIGKILL);
    ASSERT_EQ(p.wait(), 128 + SIGKILL);

    // Every checkpoint under its final name is whole, and progress is
    // never lost.
    for (const auto& entry : fs::directory_iterator(run() / "checkpoints")) {
      if (entry.path().extension() != ".ckpt") continue;
      EXPECT_NO_THROW(io::read_checkpoint(entry.path()))
          << "round " << round << ": " << entry.path();
    }
    const int64_t now = latest_step();
    EXPECT_GE(now, step) << "round " << round;
    step = now;
  }

  // The kills landed in training, not only in start-up.
  EXPECT_GT(step, 10);

  // And the run goes on from there.
  const auto r =
      run_to_end(train({"--max-steps", std::to_string(step + 7)}, true));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "trained 7 steps")) << r.out;
  EXPECT_EQ(latest_step(), step + 7);
  for (const auto& entry : fs::directory_iterator(run() / "checkpoints")) {
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp"))
        << entry.path();
  }
}

TEST_F(CrashTest, AFlippedByteFallsBackToThePreviousCheckpoint) {
  ASSERT_EQ(run_to_end(train({"--max-steps", "15"}, false)).status, 0);
  ASSERT_EQ(latest_step(), 15);
  // latest.ckpt is step 15's file: flipping it in place breaks both names.
  auto bytes = testing::read_bytes(latest());
  bytes[bytes.size() / 3] ^= 0x40;
  testing::write_bytes(latest(), bytes);
  EXPECT_THROW(io::read_checkpoint(latest()), Error);

  const auto r = run_to_end(train({"--max-steps", "20"}, true));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "gan: warning: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "latest.ckpt: checkpoint is corrupt")) << r.err;
  EXPECT_TRUE(contains(r.out, "trained 10 steps")) << r.out;  // from 10
  EXPECT_EQ(latest_step(), 20);
  EXPECT_TRUE(fs::exists(run() / "checkpoints" / "latest.ckpt.corrupt"));
}

TEST_F(CrashTest, NoGoodCheckpointIsOneLine) {
  ASSERT_EQ(run_to_end(train({"--max-steps", "5"}, false)).status, 0);
  testing::write_bytes(latest(), "GANCKPT\n");
  const auto r = run_to_end(train({}, true));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "gan: error: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "no valid checkpoint")) << r.err;
}

TEST_F(CrashTest, SigintAndSigtermSaveAtTheNextStepAndExitZero) {
  for (int sig : {SIGINT, SIGTERM}) {
    fs::remove_all(run());
    auto p = start(train({}, false));
    wait_for_training();
    p.signal(sig);
    const auto r = finish(p);
    ASSERT_EQ(r.status, 0) << strsignal(sig) << ": " << r.err;
    EXPECT_TRUE(contains(r.out, "stopped at step")) << r.out;
    const int64_t step = latest_step();
    EXPECT_TRUE(contains(r.out, "stopped at step " + std::to_string(step)))
        << r.out;
    EXPECT_TRUE(contains(r.out, "gan train --resume")) << r.out;
  }
}

TEST_F(CrashTest, AFullDiskIsOneLineAndKeepsThePreviousCheckpoint) {
  ASSERT_EQ(run_to_end(train({"--max-steps", "5"}, false)).status, 0);
  const auto checkpoint = testing::read_bytes(latest());
  const auto metrics = testing::read_bytes(run() / "metrics.jsonl");

  // A 40 KiB file-size limit: the config and the metrics fit, the next
  // checkpoint (about 400 KB) does not, as on a disk that fills up.
  std::string command = "ulimit -f 40; exec";
  for (const auto& a : train({"--max-steps", "10"}, true)) command += " " + a;
  const auto r = run_to_end({"/bin/bash", "-c", command});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "gan: error: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "step-000000010.ckpt")) << r.err;
  EXPECT_TRUE(contains(r.err, "File too large")) << r.err;

  EXPECT_EQ(testing::read_bytes(latest()), checkpoint);
  EXPECT_EQ(testing::read_bytes(run() / "metrics.jsonl").rfind(metrics, 0), 0u);
  for (const auto& entry : fs::directory_iterator(run() / "checkpoints")) {
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp"))
        << entry.path();
  }
  // With room again, the run continues from step 5.
  const auto again = run_to_end(train({"--max-steps", "10"}, true));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(latest_step(), 10);
}

TEST_F(CrashTest, ARunningRunIsLockedAgainstASecondProcess) {
  auto first = start(train({}, false));
  wait_for_training();
  // The second process writes its output elsewhere.
  Process second(train({"--max-steps", "1"}, true), dir_ / "out2.txt",
                 dir_ / "err2.txt");
  EXPECT_EQ(second.wait(), 1);
  const auto err = testing::read_bytes(dir_ / "err2.txt");
  EXPECT_TRUE(contains(err, "another gan process (pid ")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  first.signal(SIGTERM);
  ASSERT_EQ(finish(first).status, 0);
  // Once it is gone, the folder can be resumed.
  const auto r = run_to_end(
      train({"--max-steps", std::to_string(latest_step() + 1)}, true));
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
}  // namespace gan
