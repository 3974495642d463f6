// Logger: where the core's narrative goes ("1 became leader at term 2").
//
// The core never writes anywhere itself; a host installs a Logger that keeps
// lines in memory (tests, the interaction scripts) or forwards them to a
// trace. Formatting happens only when the level is enabled.
#pragma once

#include <string>

#include <fmt/format.h>

namespace raftlab::raft {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError, kNone };
const char* LogLevelName(LogLevel level);

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, const std::string& line) = 0;
  virtual bool Enabled(LogLevel level) const = 0;
};

}  // namespace raftlab::raft

// Formats and logs only when `logger` is set and the level enabled.
#define RAFT_LOG(logger, level, ...)                                              \
  do {                                                                            \
    if ((logger) != nullptr && (logger)->Enabled(::raftlab::raft::LogLevel::level)) { \
      (logger)->Log(::raftlab::raft::LogLevel::level, fmt::format(__VA_ARGS__));  \
    }                                                                             \
  } while (0)
