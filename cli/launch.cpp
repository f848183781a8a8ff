// Local worker processes for `gan train --nproc N`, started with
// posix_spawn (no fork of a process that already runs libtorch's threads)
// and watched with waitpid.
#include "launch.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "gan/core/error.h"

extern char** environ;

namespace gan::cli {
namespace {

constexpr const char* kLauncherVariable = "GAN_LAUNCHER_PID";
constexpr int kMaxWorkers = 1024;

// The workers' process ids, for the signal handler (which may only touch
// plain globals).
pid_t g_workers[kMaxWorkers];
volatile sig_atomic_t g_worker_count = 0;

extern "C" void forward_signal(int signal) {
  for (int i = 0; i < g_worker_count; ++i) {
    if (g_workers[i] > 0) kill(g_workers[i], signal);
  }
}

// This process's arguments (argv[1..]) less --nproc N and --master-port P.
std::vector<std::string> worker_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t start = 0; start < all.size();) {
    const size_t end = all.find('\0', start);
    args.push_back(all.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::vector<std::string> kept;
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--nproc" || a == "--master-port") {
      ++i;  // and its value
      continue;
    }
    if (a.rfind("--nproc=", 0) == 0 || a.rfind("--master-port=", 0) == 0) {
      continue;
    }
    kept.push_back(a);
  }
  return kept;
}

// A port the store can listen on: `port` when it is free (the store binds
// every address with SO_REUSEADDR, as here), else any free one for 0.
int claim_port(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(fmt::format("socket(): {}", std::strerror(errno)));
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    close(fd);
    if (error == EADDRINUSE) {
      throw Error(fmt::format(
          "--master-port {}: the port is already in use on this machine; "
          "pick another, or 0 for any free port",
          port));
    }
    throw Error(
        fmt::format("--master-port {}: {}", port, std::strerror(error)));
  }
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// This process's environment with the job's variables replaced.
std::vector<std::string> worker_environment(int rank, int nproc, int port) {
  const char* replaced[] = {"RANK=",        "WORLD_SIZE=",       "LOCAL_RANK=",
                            "GROUP_RANK=",  "LOCAL_WORLD_SIZE=", "MASTER_ADDR=",
                            "MASTER_PORT=", "GAN_LAUNCHER_PID="};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    bool keep = true;
    for (const char* prefix : replaced) {
      if (entry.rfind(prefix, 0) == 0) keep = false;
    }
    if (keep) env.push_back(entry);
  }
  env.push_back(fmt::format("RANK={}", rank));
  env.push_back(fmt::format("LOCAL_RANK={}", rank));
  env.push_back("GROUP_RANK=0");
  env.push_back(fmt::format("WORLD_SIZE={}", nproc));
  env.push_back(fmt::format("LOCAL_WORLD_SIZE={}", nproc));
  env.push_back("MASTER_ADDR=127.0.0.1");
  env.push_back(fmt::format("MASTER_PORT={}", port));
  env.push_back(fmt::format("{}={}", kLauncherVariable, getpid()));
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts worker `rank` in process group `group` (0: a new one).
pid_t spawn_worker(const std::string& program, std::vector<std::string> args,
                   std::vector<std::string> env, pid_t group) {
  args.insert(args.begin(), program);
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The workers have a process group of their own: a Ctrl-C in the
  // terminal reaches the launcher, which passes it on once.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, group);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, program.c_str(), nullptr, &attributes,
                                argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    throw Error(fmt::format("could not start a worker ({}): {}", program,
                            std::strerror(error)));
  }
  return pid;
}

std::string describe_end(int rank, pid_t pid, int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return fmt::format("worker rank {} (pid {}) was killed by signal {} ({})",
                       rank, pid, signal, strsignal(signal));
  }
  return fmt::format("worker rank {} (pid {}) exited with status {}", rank, pid,
                     WEXITSTATUS(status));
}

}  // namespace

void run_local_workers(int nproc, int master_port, std::chrono::seconds grace) {
  if (nproc < 1 || nproc > kMaxWorkers) {
    throw Error(
        fmt::format("--nproc {}: expected 1 to {}", nproc, kMaxWorkers));
  }
  const int port = claim_port(master_port);
  char path[4096] = {};
  const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
  const std::string program = length > 0 ? path : "/proc/self/exe";
  const auto args = worker_arguments();

  // Start every worker; a failed start stops those already running.
  std::vector<pid_t> pids;
  try {
    for (int rank = 0; rank < nproc; ++rank) {
      const pid_t group = pids.empty() ? 0 : pids.front();
      pids.push_back(spawn_worker(
          program, args, worker_environment(rank, nproc, port), group));
      g_workers[rank] = pids.back();
      g_worker_count = rank + 1;
    }
  } catch (const Error&) {
    for (pid_t pid : pids) kill(pid, SIGKILL);
    for (pid_t pid : pids) waitpid(pid, nullptr, 0);
    throw;
  }
  std::signal(SIGINT, forward_signal);
  std::signal(SIGTERM, forward_signal);

  // Watch them: the first failure stops the rest, SIGTERM first (they
  // checkpoint if they can), SIGKILL after the grace period.
  std::string failure;
  auto deadline = std::chrono::steady_clock::time_point::max();
  int running = nproc;
  while (running > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, failure.empty() ? 0 : WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;  // no children left
    if (pid == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        forward_signal(SIGKILL);
        deadline = std::chrono::steady_clock::time_point::max();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int rank = 0;
    while (rank < nproc && pids[rank] != pid) ++rank;
    if (rank == nproc) continue;
    g_workers[rank] = 0;
    --running;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && failure.empty()) {
      failure = describe_end(rank, pid, status);
      forward_signal(SIGTERM);
      deadline = std::chrono::steady_clock::now() + grace;
    }
  }
  g_worker_count = 0;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!failure.empty()) {
    throw Error(failure + "; stopped the other workers");
  }
}

void follow_launcher() {
  const char* launcher = std::getenv(kLauncherVariable);
  if (launcher == nullptr) return;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The launcher may have gone before the line above took effect.
  if (std::to_string(getppid()) != launcher) {
    throw Error("the launching gan process has ended; not starting");
  }
}

}  // namespace gan::cli
