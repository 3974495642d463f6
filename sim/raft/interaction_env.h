// InteractionEnv: the commands of the Raft interaction scripts
// (tests/testdata/raft/*.txt, `raftlab raft-script`). Nothing happens
// implicitly: messages move only on deliver-msgs or stabilize, Readies are
// handled only on process-ready or stabilize, time passes only on tick-*.
//
// Commands (ids are node ids, 1-based):
//   add-nodes N [voters=(..)] [learners=(..)] [index=I] [prevote] [checkquorum]
//             [max-inflight=K] [max-inflight-bytes=B] [max-size-per-msg=B]
//             [max-uncommitted-size=B] [election-tick=T] [heartbeat-tick=T]
//             [read-only=safe|lease-based] [disable-forwarding]
//   campaign ID | propose ID DATA | propose-conf-change ID [transition=..] [v1]
//                 (input: changes such as "v2 l3 r4 u5")
//   process-ready ID... | deliver-msgs [ID...] [drop=(ID,..)] [type=MsgApp]
//   stabilize [ID...] | tick-heartbeat ID | tick-election ID | tick ID [n=K]
//   transfer-leadership from=ID to=ID | read-index ID CTX | compact ID INDEX
//   crash ID | restart ID | report-unreachable ID TARGET
//   raft-log ID | raft-state | status ID | log-level debug|info|warn|error|none
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/raft/logger.h"
#include "sim/raft/raft_network.h"
#include "sim/script/datadriven.h"

namespace raftlab::sim {

class InteractionEnv {
 public:
  explicit InteractionEnv(uint64_t seed = 1);

  // Runs one command; returns its output (log lines and results).
  std::string Handle(const script::TestData& td);
  // Invariant violations found after the last command (empty if none).
  std::vector<std::string> CheckInvariants() { return net_.CheckInvariants(); }
  RaftNetwork& network() { return net_; }

 private:
  class BufferLogger : public raft::Logger {
   public:
    void Log(raft::LogLevel level, const std::string& line) override;
    bool Enabled(raft::LogLevel level) const override { return level >= level_; }
    void set_level(raft::LogLevel level) { level_ = level; }
    std::string Take() { return std::exchange(buffer_, {}); }
    void Append(const std::string& s) { buffer_ += s; }

   private:
    raft::LogLevel level_ = raft::LogLevel::kInfo;
    std::string buffer_;
  };

  std::string AddNodes(const script::TestData& td);
  std::string ProposeConfChange(const script::TestData& td);
  std::string DeliverMsgs(const script::TestData& td);
  std::string Stabilize(const script::TestData& td);
  std::string Tick(raft::NodeId id, int ticks);
  std::string Compact(const script::TestData& td);
  std::string RaftLogOf(raft::NodeId id);
  std::string RaftState();
  std::string StatusOf(raft::NodeId id);
  raft::NodeId FirstId(const script::TestData& td) const;
  std::vector<raft::NodeId> Ids(const script::TestData& td) const;
  std::string Positional(const script::TestData& td, size_t k) const;

  BufferLogger logger_;
  RaftNetwork net_;
};

}  // namespace raftlab::sim
