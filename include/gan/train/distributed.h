// Data-parallel training over Gloo: the worker processes of one job meet
// at rank 0's TCP store (libtorch's c10d::TCPStore), then exchange tensors
// through a c10d::ProcessGroupGloo. The trainer averages gradients and
// broadcasts weights with it; one process per worker, on one machine or
// many. See docs/distributed.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

namespace gan::train {

// Where one worker stands in its job and how it reaches the others.
struct DistributedOptions {
  int rank = 0;
  int world_size = 1;
  // Workers on this machine: they share its cores (train.threads is split
  // among them).
  int local_world_size = 1;
  // Rank 0's address and the port of its store.
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // Joining the job and every exchange fail after this long without an
  // answer, so a dead or hung worker stops the others.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // Gradients travel in flat buckets of at most this many bytes; a bucket
  // is sent while the next one is being filled.
  int64_t bucket_bytes = int64_t{4} << 20;
};

// The job torchrun's environment describes: RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT and, when set, LOCAL_WORLD_SIZE (default 1). Returns nullopt
// when RANK is unset (not launched as a worker). Throws gan::Error naming a
// variable that is missing or malformed.
std::optional<DistributedOptions> distributed_options_from_env();

// One worker's connection to its job. Every method is a collective: all
// ranks call it, in the same order, with tensors of the same shapes. Not
// thread-safe; one per process.
class Communicator {
 public:
  // Joins the job: rank 0 serves the store at master_addr:master_port, the
  // others connect to it, then all connect to each other. Throws gan::Error
  // with one line when the port is in use, rank 0 cannot be reached or not
  // every rank arrives within options.timeout.
  explicit Communicator(const DistributedOptions& options);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return options_.rank; }
  int world_size() const { return options_.world_size; }
  const DistributedOptions& options() const { return options_; }

  // Overwrites every tensor (CPU, contiguous or not) with rank 0's values.
  // `what` names them in errors. Throws gan::Error when a rank died or
  // did not answer within the timeout.
  void broadcast(const std::vector<torch::Tensor>& tensors,
                 const std::string& what);

  // Replaces every floating-point CPU tensor with its mean over the ranks, in
  // buckets of at most options.bucket_bytes. Throws as broadcast does.
  void average(const std::vector<torch::Tensor>& tensors,
               const std::string& what);

  // Rank 0's `value` on every rank (rank 0 gets its own back); through the
  // store, for strings such as a checkpoint's path. Throws as broadcast.
  std::string share(const std::string& key, const std::string& value);

  // Rank 0 marks `key` as reached; the other ranks wait until it has, for
  // up to `timeout` (which may be longer than options.timeout: rank 0 may
  // be evaluating or writing). Throws gan::Error when rank 0 has died or
  // the time has passed.
  void wait_for_rank_zero(const std::string& key,
                          std::chrono::milliseconds timeout);

  // Bytes of the tensors this process has averaged, and broadcast, so
  // far: what each exchange carries, not the wire traffic (a ring
  // all-reduce sends about twice as much; see docs/distributed.md).
  int64_t bytes_averaged() const { return bytes_averaged_; }
  int64_t bytes_broadcast() const { return bytes_broadcast_; }

 private:
  struct Impl;
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
  int64_t bytes_averaged_ = 0;
  int64_t bytes_broadcast_ = 0;
};

// A seed for rank `rank`'s own random stream, derived from the run's seed:
// rank 0 keeps `seed`, the others get unrelated ones.
uint64_t rank_seed(uint64_t seed, int rank);

}  // namespace gan::train
