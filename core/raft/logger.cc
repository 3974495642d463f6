#include "core/raft/logger.h"

namespace raftlab::raft {

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kNone: return "NONE";
  }
  return "?";
}

}  // namespace raftlab::raft
