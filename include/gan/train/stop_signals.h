// Ending a training run from outside: while a StopOnSignals lives, SIGINT
// and SIGTERM ask the trainer to stop at its next step boundary (where it
// saves a checkpoint), so Ctrl-C or a scheduler's SIGTERM loses no work. A
// SIGINT that follows an earlier one of the two before then ends the
// process at once, with status 130 and nothing saved, for a user who
// cannot wait for the step to finish; a repeated SIGTERM does not.
#pragma once

namespace gan::train {

class Trainer;

// Installs the handlers for its lifetime and restores the default actions
// when it goes. One at a time in a process (the handlers are global).
class StopOnSignals {
 public:
  explicit StopOnSignals(Trainer& trainer);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  // Whether SIGINT or SIGTERM came since it was installed.
  bool received() const;
};

}  // namespace gan::train
