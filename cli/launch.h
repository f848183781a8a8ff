// `gan train --nproc N`: the same command, run as N worker processes on
// this machine that form one job over loopback (as torchrun would start
// them), and a parent that watches them: when one fails, it stops the
// others.
#pragma once

#include <chrono>

namespace gan::cli {

// Starts `nproc` workers: this program again, with this process's
// arguments less --nproc and --master-port, and torchrun's variables
// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1,
// MASTER_PORT) set. `master_port` 0 takes any free port. SIGINT and
// SIGTERM are passed on to every worker. Returns when all have exited
// with status 0. When one fails, the others get SIGTERM, then SIGKILL
// after `grace`, and it throws gan::Error naming the failed worker's rank
// and how it ended. Throws gan::Error when `master_port` is in use.
void run_local_workers(int nproc, int master_port, std::chrono::seconds grace);

// In a worker that run_local_workers started: ends this process when its
// launcher ends (so no worker outlives a killed launcher). Does nothing in
// any other process.
void follow_launcher();

}  // namespace gan::cli
