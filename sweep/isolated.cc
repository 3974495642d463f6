#include "sweep/isolated.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::sweep {
namespace {

// Child-only state for the CHECK failure handler.
int g_fd = -1;
uint64_t g_seed = 0;

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (s.size() > 600) s = s.substr(0, 600) + "...";
  return s;
}

std::string Encode(const SeedOutcome& o) {
  std::string out = fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", o.seed,
                                static_cast<int>(o.verdict), o.trace_hash, o.sim_time, o.events,
                                o.ops, o.faults, o.wall_ms);
  size_t i = 0;
  for (const std::string& v : o.violations) {
    if (++i > 20) break;  // bounded, so the pipe never fills
    out += OneLine(v) + "\n";
  }
  return out;
}

SeedOutcome Decode(uint64_t seed, const std::string& text, int status) {
  SeedOutcome o;
  o.seed = seed;
  std::istringstream in(text);
  std::string header;
  int verdict = 0;
  if (!std::getline(in, header) ||
      std::sscanf(header.c_str(), "%lu\t%d\t%lu\t%lu\t%lu\t%lu\t%lu\t%lf", &o.seed, &verdict,
                  &o.trace_hash, &o.sim_time, &o.events, &o.ops, &o.faults, &o.wall_ms) != 8) {
    o.verdict = Verdict::kFail;
    o.violations.push_back(fmt::format(
        "crash: the seed's process ended without a result ({})",
        WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                            : fmt::format("exit status {}", WEXITSTATUS(status))));
    return o;
  }
  o.verdict = static_cast<Verdict>(verdict);
  for (std::string line; std::getline(in, line);) o.violations.push_back(line);
  return o;
}

[[noreturn]] void OnCheckFailure(const std::string& message) {
  SeedOutcome o;
  o.seed = g_seed;
  o.verdict = Verdict::kFail;
  o.violations.push_back("crash: " + message);
  WriteAll(g_fd, Encode(o));
  ::_exit(0);
}

struct Child {
  uint64_t seed;
  int fd;
};

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

void RunIsolated(const std::vector<uint64_t>& seeds, int jobs, const SeedWork& work,
                 const SeedDone& done) {
  std::map<pid_t, Child> running;
  size_t next = 0;
  while (next < seeds.size() || !running.empty()) {
    while (next < seeds.size() && static_cast<int>(running.size()) < std::max(1, jobs)) {
      // Record the pid: waitpid tells which child ended.
      std::fflush(nullptr);
      int fds[2];
      CHECK_EQ(::pipe(fds), 0);
      const uint64_t seed = seeds[next++];
      const pid_t pid = ::fork();
      CHECK_GE(pid, 0);
      if (pid == 0) {
        ::close(fds[0]);
        for (const auto& [other_pid, c] : running) ::close(c.fd);
        g_fd = fds[1];
        g_seed = seed;
        SetCheckFailureHandler(&OnCheckFailure);
        const SeedOutcome o = work(seed);
        WriteAll(fds[1], Encode(o));
        std::fflush(nullptr);
        ::_exit(0);
      }
      ::close(fds[1]);
      running[pid] = Child{seed, fds[0]};
    }
    // Results are small (bounded above), so a child never blocks on its pipe
    // and waiting before reading cannot deadlock.
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    CHECK_GT(pid, 0);
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Child c = it->second;
    running.erase(it);
    done(Decode(c.seed, ReadAll(c.fd), status));
  }
}

SeedOutcome RunOneIsolated(uint64_t seed, const SeedWork& work) {
  SeedOutcome out;
  RunIsolated({seed}, 1, work, [&](const SeedOutcome& o) { out = o; });
  return out;
}

}  // namespace raftlab::sweep
