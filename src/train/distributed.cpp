// The job's connection: a c10d::TCPStore for the rendezvous and a
// c10d::ProcessGroupGloo on TCP for the tensors. libtorch's c10d headers
// stay in this file; the public header only knows Communicator.
#include "gan/train/distributed.h"

#include <dlfcn.h>

#include <cstdlib>
#include <exception>
#include <map>

#include <fmt/format.h>

// Debian's libtorch is built with Gloo; its header hides the class unless
// told so.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "gan/core/error.h"
#include "gan/core/hash.h"

namespace gan::train {
namespace {

// The first line of an exception's message, without libtorch's backtrace.
std::string first_line(const std::exception& e) { return gan::describe(e); }

int env_int(const char* name, std::optional<int> fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    if (fallback) return *fallback;
    throw Error(fmt::format(
        "{} is not set; a worker of a distributed job needs RANK, "
        "WORLD_SIZE, MASTER_ADDR and MASTER_PORT (as torchrun sets them)",
        name));
  }
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 0 || value > (1 << 30)) {
    throw Error(fmt::format("{} = '{}': expected an integer >= 0", name, text));
  }
  return static_cast<int>(value);
}

// Silences libtorch's own log lines (glog, through c10) for one scope:
// while workers meet, c10d logs every retry and failed bind, and gan
// reports what matters in one line of its own. glog is found at run time,
// as the copy libtorch loaded; without it this does nothing.
class QuietLibtorchLogs {
 public:
  QuietLibtorchLogs()
      : level_(static_cast<int*>(
            dlsym(RTLD_DEFAULT, "_ZN3fLI17FLAGS_minloglevelE"))) {
    if (level_ == nullptr) return;
    saved_ = *level_;
    *level_ = kFatalOnly;
  }
  ~QuietLibtorchLogs() {
    if (level_ != nullptr) *level_ = saved_;
  }
  QuietLibtorchLogs(const QuietLibtorchLogs&) = delete;
  QuietLibtorchLogs& operator=(const QuietLibtorchLogs&) = delete;

 private:
  static constexpr int kFatalOnly = 3;  // glog's FATAL severity
  int* level_;
  int saved_ = 0;
};

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 ||
         address == "::1";
}

// Gloo's device: the interface GLOO_SOCKET_IFNAME names (as in PyTorch),
// loopback for a job on one machine, else the address this machine's name
// resolves to.
std::shared_ptr<::gloo::transport::Device> make_device(
    const DistributedOptions& options) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  if (is_loopback(options.master_addr)) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

std::optional<DistributedOptions> distributed_options_from_env() {
  if (std::getenv("RANK") == nullptr) return std::nullopt;
  DistributedOptions options;
  options.rank = env_int("RANK", std::nullopt);
  options.world_size = env_int("WORLD_SIZE", std::nullopt);
  options.local_world_size = env_int("LOCAL_WORLD_SIZE", 1);
  options.master_port = env_int("MASTER_PORT", std::nullopt);
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') env_int("MASTER_ADDR", std::nullopt);
  options.master_addr = addr;
  if (options.world_size < 1 || options.rank >= options.world_size) {
    throw Error(fmt::format(
        "RANK = {} with WORLD_SIZE = {}: expected 0 <= RANK < WORLD_SIZE",
        options.rank, options.world_size));
  }
  if (options.master_port < 1 || options.master_port > 65535) {
    throw Error(fmt::format("MASTER_PORT = {}: expected 1 to 65535",
                            options.master_port));
  }
  options.local_world_size = std::max(1, options.local_world_size);
  return options;
}

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

Communicator::Communicator(const DistributedOptions& options)
    : options_(options), impl_(std::make_unique<Impl>()) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count();
  const std::string where =
      fmt::format("{}:{}", options.master_addr, options.master_port);
  QuietLibtorchLogs quiet;

  // The store: rank 0 serves it, the others connect (retrying until the
  // timeout, so the order in which workers start does not matter).
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<uint16_t>(options.master_port);
  store_options.isServer = options.rank == 0;
  store_options.numWorkers = options.world_size;
  store_options.waitWorkers = false;
  store_options.timeout = options.timeout;
  try {
    impl_->store =
        c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
  } catch (const std::exception& e) {
    const auto message = first_line(e);
    if (options.rank == 0 &&
        std::string(e.what()).find("already in use") != std::string::npos) {
      throw Error(fmt::format(
          "rank 0: port {} is already in use on this machine; pick another "
          "MASTER_PORT (or --master-port, 0 for any free port)",
          options.master_port));
    }
    throw Error(fmt::format(
        "rank {}: could not {} the job's store at {} within {} s: {}",
        options.rank, options.rank == 0 ? "open" : "reach", where, seconds,
        message));
  }

  // The group: every rank connects to every other through the store.
  try {
    auto group_options =
        c10d::ProcessGroupGloo::Options::create(options.timeout);
    group_options->devices.push_back(make_device(options));
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
        impl_->store, options.rank, options.world_size, group_options);
  } catch (const std::exception& e) {
    throw Error(fmt::format(
        "rank {}: not every one of the {} workers joined the job at {} "
        "within {} s: {}",
        options.rank, options.world_size, where, seconds, first_line(e)));
  }
}

Communicator::~Communicator() = default;

namespace {

// Waits for one exchange; a failure becomes one line that names this
// rank, what was exchanged and the likely cause.
void wait_for(const c10::intrusive_ptr<c10d::Work>& work,
              const DistributedOptions& options, const std::string& what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    const std::string peer = options.world_size == 2
                                 ? fmt::format("rank {}", 1 - options.rank)
                                 : std::string("another rank");
    throw Error(fmt::format(
        "rank {}: exchanging {} failed: {} stopped or did not answer "
        "within {} s ({})",
        options.rank, what, peer,
        std::chrono::duration_cast<std::chrono::seconds>(options.timeout)
            .count(),
        first_line(e)));
  }
}

}  // namespace

void Communicator::broadcast(const std::vector<torch::Tensor>& tensors,
                             const std::string& what) {
  torch::NoGradGuard no_grad;
  // One flat buffer per dtype: float32 weights and buffers in one
  // exchange, the odd int64 counter in another.
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_type;
  for (const auto& t : tensors) by_type[t.scalar_type()].push_back(t);

  for (auto& [type, members] : by_type) {
    std::vector<torch::Tensor> views;
    for (const auto& t : members) views.push_back(t.reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(views)};
    bytes_broadcast_ += static_cast<int64_t>(flat[0].nbytes());
    c10d::BroadcastOptions broadcast_options;
    broadcast_options.rootRank = 0;
    broadcast_options.timeout = options_.timeout;
    wait_for(impl_->group->broadcast(flat, broadcast_options), options_, what);
    int64_t offset = 0;
    for (auto& t : members) {
      t.copy_(flat[0].slice(0, offset, offset + t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

void Communicator::average(const std::vector<torch::Tensor>& tensors,
                           const std::string& what) {
  torch::NoGradGuard no_grad;
  struct Bucket {
    std::vector<torch::Tensor> members;
    std::vector<torch::Tensor> flat;  // one tensor, as c10d takes them
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Bucket> buckets;

  // Fill a bucket, send it, go on filling the next: the ring all-reduce of
  // one overlaps the copying of the next.
  const auto send = [&](Bucket& bucket) {
    std::vector<torch::Tensor> views;
    for (const auto& t : bucket.members) views.push_back(t.reshape({-1}));
    bucket.flat = {torch::cat(views)};
    bytes_averaged_ += static_cast<int64_t>(bucket.flat[0].nbytes());
    c10d::AllreduceOptions reduce_options;
    reduce_options.reduceOp = c10d::ReduceOp::SUM;
    reduce_options.timeout = options_.timeout;
    bucket.work = impl_->group->allreduce(bucket.flat, reduce_options);
  };
  Bucket open;
  int64_t open_bytes = 0;
  for (const auto& t : tensors) {
    if (!t.is_floating_point() || !t.device().is_cpu()) {
      throw Error(
          fmt::format("{}: expected floating-point CPU tensors, found {} on {}",
                      what, c10::toString(t.scalar_type()), t.device().str()));
    }
    // A bucket holds one dtype and at most bucket_bytes (unless one tensor
    // alone is larger).
    const auto bytes = static_cast<int64_t>(t.nbytes());
    if (!open.members.empty() &&
        (open_bytes + bytes > options_.bucket_bytes ||
         t.scalar_type() != open.members.front().scalar_type())) {
      send(open);
      buckets.push_back(std::move(open));
      open = Bucket();
      open_bytes = 0;
    }
    open.members.push_back(t);
    open_bytes += bytes;
  }
  if (!open.members.empty()) {
    send(open);
    buckets.push_back(std::move(open));
  }

  // Sums come back; each member takes its slice of the mean.
  const double scale = 1.0 / options_.world_size;
  for (auto& bucket : buckets) {
    wait_for(bucket.work, options_, what);
    auto& flat = bucket.flat[0];
    flat.mul_(scale);
    int64_t offset = 0;
    for (auto& t : bucket.members) {
      t.copy_(flat.slice(0, offset, offset + t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

std::string Communicator::share(const std::string& key,
                                const std::string& value) {
  const std::string full_key = "gan/" + key;
  try {
    if (options_.rank == 0) {
      impl_->store->set(full_key,
                        std::vector<uint8_t>(value.begin(), value.end()));
      return value;
    }
    const auto bytes = impl_->store->get(full_key);
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    throw Error(fmt::format("rank {}: could not get '{}' from rank 0: {}",
                            options_.rank, key, first_line(e)));
  }
}

void Communicator::wait_for_rank_zero(const std::string& key,
                                      std::chrono::milliseconds timeout) {
  const std::string full_key = "gan/" + key;
  try {
    if (options_.rank == 0) {
      impl_->store->set(full_key, std::vector<uint8_t>{1});
    } else {
      impl_->store->wait({full_key}, timeout);
    }
  } catch (const std::exception& e) {
    throw Error(fmt::format(
        "rank {}: waiting for rank 0 to reach '{}' failed: rank 0 stopped or "
        "took longer than {} s ({})",
        options_.rank, key,
        std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
        first_line(e)));
  }
}

uint64_t rank_seed(uint64_t seed, int rank) {
  if (rank == 0) return seed;
  return splitmix64(seed ^ splitmix64(static_cast<uint64_t>(rank)));
}

}  // namespace gan::train
