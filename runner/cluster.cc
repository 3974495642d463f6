#include "runner/cluster.h"

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace raftlab::runner {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

std::string SelfExe() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "raftlab";
  path[n] = '\0';
  return path;
}

}  // namespace

ClusterLayout LayOut(const ClusterOptions& o, const std::string& dir) {
  ClusterLayout l;
  l.dir = dir;
  for (int i = 0; i < o.nodes; ++i) {
    const int client = o.base_port + 2 * i;
    l.names.push_back(fmt::format("n{}", i + 1));
    l.client_urls.push_back(fmt::format("http://127.0.0.1:{}", client));
    l.peer_urls.push_back(fmt::format("http://127.0.0.1:{}", client + 1));
    l.initial_cluster += fmt::format("{}{}={}", i == 0 ? "" : ",", l.names.back(), l.peer_urls.back());
    l.endpoints += fmt::format("{}127.0.0.1:{}", i == 0 ? "" : ",", client);
  }
  return l;
}

Result<pid_t> StartMember(const std::string& self_exe, const ClusterLayout& l, int i,
                          const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {self_exe,          "node",
                                   "--name",          l.names[i],
                                   "--data-dir",      l.dir + "/" + l.names[i],
                                   "--listen-peer",   l.peer_urls[i],
                                   "--listen-client", l.client_urls[i],
                                   "--initial-cluster", l.initial_cluster,
                                   "--log",           l.dir + "/" + l.names[i] + ".log"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child must not inherit blocked signals: it installs its own.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, self_exe.c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return MakeError(ErrorCode::kIo, fmt::format("cannot start {}: {}", l.names[i], std::strerror(rc)));
  }
  return pid;
}

int RunCluster(const ClusterOptions& o) {
  if (o.nodes < 1 || o.nodes > 99) {
    std::fprintf(stderr, "raftlab cluster: --nodes must be 1..99\n");
    return kExitInput;
  }
  if (o.base_port == 0 || o.base_port + 2 * o.nodes > 65535) {
    std::fprintf(stderr, "raftlab cluster: --base-port leaves no room for %d members\n", o.nodes);
    return kExitInput;
  }
  std::string dir = o.dir;
  if (dir.empty()) {
    char templ[] = "/tmp/raftlab-cluster-XXXXXX";
    if (::mkdtemp(templ) == nullptr) {
      std::fprintf(stderr, "raftlab cluster: cannot create a directory in /tmp\n");
      return kExitInput;
    }
    dir = templ;
  } else if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "raftlab cluster: --dir %s: %s\n", dir.c_str(), std::strerror(errno));
    return kExitInput;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const ClusterLayout l = LayOut(o, dir);
  const std::string self = SelfExe();
  std::vector<pid_t> pids;
  for (int i = 0; i < o.nodes; ++i) {
    Result<pid_t> pid = StartMember(self, l, i, o.extra_args);
    if (!pid) {
      std::fprintf(stderr, "raftlab cluster: %s\n", pid.error().message.c_str());
      for (pid_t p : pids) ::kill(p, SIGTERM);
      for (pid_t p : pids) ::waitpid(p, nullptr, 0);
      return kExitInput;
    }
    pids.push_back(*pid);
  }
  std::printf("%d members in %s (logs: %s/nN.log)\n", o.nodes, dir.c_str(), dir.c_str());
  std::printf("endpoints: %s\n", l.endpoints.c_str());
  std::printf("try: ETCDCTL_API=3 etcdctl --endpoints=%s put hello world\n", l.endpoints.c_str());
  std::printf("stop with Ctrl-C\n");
  std::fflush(stdout);

  int exit_code = kExitOk;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  if (sig == SIGCHLD) {
    // A member exited on its own (a bad flag, a damaged directory, a failed
    // disk): say which, and stop the others.
    int status = 0;
    const pid_t gone = ::waitpid(-1, &status, WNOHANG);
    for (size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != gone) continue;
      std::fprintf(stderr, "raftlab cluster: %s exited (status %d); see %s/%s.log\n",
                   l.names[i].c_str(), WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                   dir.c_str(), l.names[i].c_str());
      pids[i] = 0;
    }
    exit_code = kExitInput;
  }
  for (pid_t p : pids) {
    if (p > 0) ::kill(p, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t& p : pids) {
    while (p > 0) {
      const pid_t r = ::waitpid(p, nullptr, WNOHANG);
      if (r == p || r < 0) {
        p = 0;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(p, SIGKILL);
        ::waitpid(p, nullptr, 0);
        p = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::printf("stopped\n");
  return exit_code;
}

}  // namespace raftlab::runner
