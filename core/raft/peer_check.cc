// Raft::CheckPeerMessage: layer 2 of the peer-input rule in raft.h. Each
// refusal mirrors a CHECK that Step would otherwise reach, under the same
// conditions, so a correct peer is never refused.
#include <fmt/format.h>

#include "core/raft/confchange.h"
#include "core/raft/raft.h"

namespace raftlab::raft {
namespace {

tl::unexpected<Error> Refuse(const Message& m, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("{} from {} refused: {}", MessageTypeName(m.type), m.from, why));
}

}  // namespace

Result<void> Raft::CheckPeerMessage(const Message& m) const {
  // A message of a lower term is answered or dropped by StepByTerm, before
  // any handler reads it.
  if (m.term != 0 && m.term < term_) return OkStatus();
  switch (m.type) {
    case MessageType::kHeartbeat:
      // HandleHeartbeat commits m.commit: RaftLog::CommitTo's CHECK.
      if (m.commit > raft_log_.LastIndex()) {
        return Refuse(m, fmt::format("commit {} is beyond the last index {}", m.commit,
                                     raft_log_.LastIndex()));
      }
      break;
    // No case for MsgApp: RaftLog::MaybeAppend CHECKs that no entry
    // conflicts with a committed one, but Step only appends at an index at
    // or above the commit index, and layer 1 makes the entries contiguous
    // after it, so none can be at or below the commit index.
    case MessageType::kSnap:
      // Restore's CHECKs: the configuration must be one RestoreConfig builds
      // and that reads back as the same ConfState.
      if (m.snapshot) {
        const ConfState& cs = m.snapshot->metadata.conf_state;
        ChangeResult restored = RestoreConfig(ProgressTracker(1, 0), m.snapshot->metadata.index, cs);
        if (!restored) return Refuse(m, "its configuration cannot be restored: " + restored.error());
        ProgressTracker rebuilt(1, 0);
        rebuilt.config = restored->config;
        if (rebuilt.GetConfState() != cs) {
          return Refuse(m, "its configuration does not read back as sent (unsorted or repeated ids)");
        }
      }
      break;
    default:
      break;
  }
  return OkStatus();
}

}  // namespace raftlab::raft
