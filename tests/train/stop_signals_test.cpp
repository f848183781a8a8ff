// SIGINT and SIGTERM during training: one asks the trainer to stop at the
// next step boundary with a checkpoint; a second SIGINT ends the process
// at once. Signals are raised from inside the training loop, so each lands
// at a known step.
#include "gan/train/stop_signals.h"

#include <signal.h>

#include <csignal>
#include <vector>

#include <gtest/gtest.h>

#include "gan/core/error.h"
#include "gan/data/load.h"
#include "gan/io/run_dir.h"
#include "gan/train/snapshot.h"
#include "gan/train/trainer.h"
#include "test_util.h"

namespace gan::train {
namespace {

// Raises `signals` in order after step `at`.
class RaiseAfter : public TrainObserver {
 public:
  RaiseAfter(int64_t at, std::vector<int> signals)
      : at_(at), signals_(std::move(signals)) {}
  void on_step(int64_t step, int64_t, int64_t, double) override {
    if (step != at_) return;
    for (int s : signals_) std::raise(s);
  }

 private:
  int64_t at_;
  std::vector<int> signals_;
};

bool has_default_action(int signal) {
  struct sigaction current {};
  sigaction(signal, nullptr, &current);
  return current.sa_handler == SIG_DFL;
}

class StopOnSignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_mnist_folder(dir_.path() / "data", 60, 20);
    config_ = testing::tiny_config(dir_.path() / "data");
  }

  Trainer make_trainer() const {
    return Trainer(config_,
                   data::load_dataset(config_.data, data::Split::kTrain),
                   torch::kCPU);
  }

  testing::TempDir dir_;
  Config config_;
};

TEST_F(StopOnSignalsTest, OneSignalStopsAtTheNextStepWithACheckpoint) {
  // SIGTERM twice is still a clean stop: only SIGINT escalates.
  const std::vector<std::vector<int>> cases = {
      {SIGINT}, {SIGTERM}, {SIGTERM, SIGTERM}};
  for (const auto& signals : cases) {
    Trainer trainer = make_trainer();
    auto run = io::RunDir::create(dir_.path() /
                                  ("run" + std::to_string(signals[0]) + "x" +
                                   std::to_string(signals.size())));
    RaiseAfter observer(2, signals);
    bool received = false;
    {
      StopOnSignals stop(trainer);
      EXPECT_FALSE(stop.received());
      trainer.fit(&run, &observer);
      received = stop.received();
    }
    EXPECT_TRUE(received) << strsignal(signals[0]);
    EXPECT_EQ(trainer.steps_done(), 2) << strsignal(signals[0]);
    EXPECT_EQ(read_checkpoint_info(run.latest_checkpoint()).step, 2);
    EXPECT_TRUE(has_default_action(SIGINT));
    EXPECT_TRUE(has_default_action(SIGTERM));
  }
}

TEST_F(StopOnSignalsTest, ASecondSigintEndsTheProcessAtOnceWithStatus130) {
  // The child process runs this test again up to here (libtorch's threads
  // do not survive a plain fork).
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A SIGINT after SIGTERM escalates too: the user wants out now.
  const std::vector<std::vector<int>> cases = {{SIGINT, SIGINT},
                                               {SIGTERM, SIGINT}};
  for (const auto& signals : cases) {
    EXPECT_EXIT(
        {
          Trainer trainer = make_trainer();
          auto run = io::RunDir::create(dir_.path() / "run");
          RaiseAfter observer(2, signals);
          StopOnSignals stop(trainer);
          trainer.fit(&run, &observer);
          std::_Exit(0);  // reached only if the SIGINT was ignored
        },
        ::testing::ExitedWithCode(130), "")
        << strsignal(signals[0]);
  }
}

TEST_F(StopOnSignalsTest, OnlyOneCanBeInstalledAtATime) {
  Trainer first = make_trainer();
  Trainer second = make_trainer();
  {
    StopOnSignals stop(first);
    EXPECT_THROW(StopOnSignals again(second), Error);
  }
  // Once the first is gone, another may take its place.
  EXPECT_NO_THROW(StopOnSignals again(second));
}

}  // namespace
}  // namespace gan::train
