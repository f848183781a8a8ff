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
// SIGINTs and SIGTERMs since the handlers were installed.
std::atomic<int> g_signals{0};

extern "C" void on_stop_signal(int signal) {
  if (g_signals.fetch_add(1) > 0 && signal == SIGINT) std::_Exit(130);
  if (Trainer* trainer = g_trainer.load()) trainer->request_stop();
}

}  // namespace

StopOnSignals::StopOnSignals(Trainer& trainer) {
  Trainer* none = nullptr;
  if (!g_trainer.compare_exchange_strong(none, &trainer)) {
    throw Error("StopOnSignals: another instance is already installed");
  }
  g_signals.store(0);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_trainer.store(nullptr);
}

bool StopOnSignals::received() const { return g_signals.load() > 0; }

}  // namespace gan::train
