// Progress bar and log lines.
#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace gan::cli {
namespace {

constexpr int kBarWidth = 24;
constexpr double kRedrawSeconds = 0.2;

}  // namespace

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

ConsoleObserver::ConsoleObserver(int64_t steps_per_epoch, int64_t epochs,
                                 bool quiet)
    : steps_per_epoch_(steps_per_epoch),
      epochs_(epochs),
      quiet_(quiet),
      terminal_(isatty(STDERR_FILENO) != 0) {}

void ConsoleObserver::on_start(int64_t step, int64_t total_steps) {
  start_step_ = step;
  start_ = Clock::now();
  last_draw_ = start_ - std::chrono::seconds(1);
  if (!quiet_ && step > 0) {
    fmt::print("resuming at step {} of {}\n", step, total_steps);
  }
}

void ConsoleObserver::on_step(int64_t step, int64_t total_steps, int64_t epoch,
                              double images_per_second) {
  if (quiet_ || !terminal_) return;
  const auto now = Clock::now();
  if (step < total_steps &&
      std::chrono::duration<double>(now - last_draw_).count() <
          kRedrawSeconds) {
    return;
  }
  last_draw_ = now;

  const double done = static_cast<double>(step) / total_steps;
  const int filled = static_cast<int>(done * kBarWidth);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t steps_run = step - start_step_;
  const double eta =
      steps_run > 0 ? elapsed / steps_run * (total_steps - step) : 0.0;
  fmt::print(stderr,
             "\r\x1b[Kepoch {}/{} [{}{}] step {}/{}  {:.0f} img/s  ETA {}",
             epoch + 1, epochs_, std::string(filled, '#'),
             std::string(kBarWidth - filled, '.'), step, total_steps,
             images_per_second, format_duration(eta));
  std::fflush(stderr);
  bar_drawn_ = true;
}

void ConsoleObserver::clear_bar() {
  if (!bar_drawn_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
  bar_drawn_ = false;
}

void ConsoleObserver::on_log(const train::StepStats& s) {
  if (quiet_) return;
  clear_bar();
  fmt::print(
      "step {:>7}  epoch {:>3}  loss_D {:.4f}  loss_G {:.4f}  D(x) {:.3f}  "
      "D(G(z)) {:.3f}  lr {:.4g}  {:.0f} img/s\n",
      s.step, s.step / steps_per_epoch_, s.loss_d, s.loss_g, s.d_real, s.d_fake,
      s.lr, s.images_per_second);
  std::fflush(stdout);
}

void ConsoleObserver::on_warning(const std::string& message) {
  clear_bar();
  fmt::print(stderr, "gan: warning: {}\n", message);
}

void ConsoleObserver::on_eval(int64_t step,
                              const std::map<std::string, double>& metrics) {
  if (quiet_) return;
  clear_bar();
  std::string line = fmt::format("eval at step {}:", step);
  for (const auto& [name, value] : metrics) {
    line += fmt::format("  {} {:.4g}", name, value);
  }
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

void ConsoleObserver::on_file(const std::filesystem::path& path) {
  if (quiet_) return;
  clear_bar();
  fmt::print("wrote {}\n", path.string());
  std::fflush(stdout);
}

}  // namespace gan::cli
