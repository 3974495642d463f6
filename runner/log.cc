#include "runner/log.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace raftlab::runner {

MemberLog::MemberLog(const std::string& path, std::string prefix) : prefix_(std::move(prefix)) {
  if (path.empty()) return;
  out_ = std::fopen(path.c_str(), "ae");
  if (out_ == nullptr) {
    out_ = stderr;
    Line("cannot open log file " + path + "; logging to stderr");
    return;
  }
  owned_ = true;
}

MemberLog::~MemberLog() {
  if (owned_) std::fclose(out_);
}

void MemberLog::Line(const std::string& line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(out_, "%s.%03dZ %s %s\n", when, static_cast<int>(ms.count()), prefix_.c_str(),
               line.c_str());
  std::fflush(out_);
}

void MemberLog::Log(raft::LogLevel level, const std::string& line) {
  Line(std::string(raft::LogLevelName(level)) + " " + line);
}

}  // namespace raftlab::runner
