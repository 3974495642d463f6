// MemberLog: a live member's log, one line per event with its wall-clock time,
// written from any thread (the loop, the transport, gRPC). It is also the
// core's raft::Logger, so the member log reads like etcd's ("2 became
// leader at term 3").
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "core/raft/logger.h"

namespace raftlab::runner {

class MemberLog final : public raft::Logger {
 public:
  // `path` empty: stderr. Opening a file that cannot be written falls back
  // to stderr with a note.
  MemberLog(const std::string& path, std::string prefix);
  ~MemberLog() override;
  MemberLog(const MemberLog&) = delete;
  MemberLog& operator=(const MemberLog&) = delete;

  void Line(const std::string& line);
  void Log(raft::LogLevel level, const std::string& line) override;
  bool Enabled(raft::LogLevel level) const override { return level >= raft::LogLevel::kInfo; }

 private:
  std::mutex mu_;
  std::FILE* out_ = stderr;
  bool owned_ = false;
  std::string prefix_;
};

}  // namespace raftlab::runner
