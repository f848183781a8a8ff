// How a training run looks on a terminal: a progress bar on standard error
// (epoch, step, images/s, time left) when it is a terminal, and a line of
// losses and D's outputs on standard output every log.every_steps steps.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "gan/train/trainer.h"

namespace gan::cli {

class ConsoleObserver : public train::TrainObserver {
 public:
  // `steps_per_epoch` turns steps into epochs; `epochs` is the run's total.
  ConsoleObserver(int64_t steps_per_epoch, int64_t epochs, bool quiet);

  void on_start(int64_t step, int64_t total_steps) override;
  void on_step(int64_t step, int64_t total_steps, int64_t epoch,
               double images_per_second) override;
  void on_log(const train::StepStats& stats) override;
  void on_file(const std::filesystem::path& path) override;
  void on_warning(const std::string& message) override;
  void on_eval(int64_t step,
               const std::map<std::string, double>& metrics) override;

  // Erases the bar, if one is drawn.
  void clear_bar();

 private:
  using Clock = std::chrono::steady_clock;

  int64_t steps_per_epoch_;
  int64_t epochs_;
  bool quiet_;
  bool terminal_;
  bool bar_drawn_ = false;
  int64_t start_step_ = 0;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

// "1h02m", "3m05s", "42s".
std::string format_duration(double seconds);

}  // namespace gan::cli
