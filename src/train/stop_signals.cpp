// Signal handlers for StopOnSignals. They only touch lock-free atomics
// (Trainer::request_stop stores one) and _Exit, which are safe inside a
// handler.
#include "gan/train/stop_signals.h"

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "gan/core/error.h"
#include "gan/train/trainer.h"

namespace gan::train {
namespace {

std::atomic<Trainer*> g_trainer{nullptr};
std::atomic<int> g_interrupts{0};
std::atomic<bool> g_received{false};

extern "C" void on_stop_signal(int signal) {
  g_received.store(true);
  if (signal == SIGINT && g_interrupts.fetch_add(1) > 0) std::_Exit(130);
  if (Trainer* trainer = g_trainer.load()) trainer->request_stop();
}

}  // namespace

StopOnSignals::StopOnSignals(Trainer& trainer) {
  Trainer* none = nullptr;
  if (!g_trainer.compare_exchange_strong(none, &trainer)) {
    throw Error("StopOnSignals: another instance is already installed");
  }
  g_interrupts.store(0);
  g_received.store(false);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_trainer.store(nullptr);
}

bool StopOnSignals::received() const { return g_received.load(); }

}  // namespace gan::train
