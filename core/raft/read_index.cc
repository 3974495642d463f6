// Linearizable reads without a log entry (Raft thesis §6.4): the leader
// records its commit index, confirms it is still leader with a round of
// heartbeats (or trusts its lease), and answers with that index.
#include "core/base/check.h"
#include "core/raft/raft.h"

namespace raftlab::raft {

bool Raft::CommittedEntryInCurrentTerm() const {
  // A fresh leader does not know the true commit index until an entry of its
  // own term commits (§5.4.2, thesis §6.4 step 1).
  return raft_log_.TermOrZero(raft_log_.committed()) == term_;
}

void Raft::HandleReadIndexAtLeader(const Message& m) {
  const bool voter = trk_.config.voters.Contains(id_);
  if (trk_.IsSingleton() && voter) {
    // We are the only voter: nobody else can be leader. Answer at once.
    SendReadIndexResponse(m, raft_log_.committed());
    return;
  }
  // Bug zoo B06 (read-index-before-commit): a fresh leader's commit index
  // may lag a write the previous leader already acknowledged.
  if (!CommittedEntryInCurrentTerm() && !bugs_.Has(Bug::kReadIndexBeforeCommit)) {
    // Postponed, not dropped: released when this term's first entry commits.
    pending_read_index_messages_.push_back(m);
    return;
  }
  if (bugs_.Has(Bug::kLeaderLocalRead)) {
    // Bug zoo B07 (leader-local-read): no quorum round and no lease, so a
    // deposed leader that has not heard of its successor reads stale state.
    SendReadIndexResponse(m, raft_log_.committed());
    return;
  }
  // Bug zoo B09 (lease-read-no-check-quorum): etcd's lease: being leader is
  // taken as the lease, trusting check-quorum to depose a cut-off leader in
  // time (it may take two election timeouts; followers vote after one) and
  // ignoring the transferee's forced election.
  const bool lease = bugs_.Has(Bug::kLeaseReadNoCheckQuorum) || (!lease_void_ && InLease());
  // A leader that is no longer a voter (removed, handing over) may already
  // have been replaced: it must confirm with the voters, never trust a lease.
  if (read_only_.option() == ReadOnlyOption::kLeaseBased && lease && voter) {
    SendReadIndexResponse(m, raft_log_.committed());
    return;
  }
  // No lease (or none to trust): a round of heartbeats, which also renews it.
  const uint64_t seq = read_only_.AddRequest(raft_log_.committed(), m, ticks_);
  read_only_.RecvAck(id_, seq);
  BcastHeartbeatWithContext(ReadOnly::EncodeSeq(seq));
}

bool Raft::InLease() const {
  const std::optional<uint64_t> start = read_only_.confirmed_tick();
  return start && ticks_ < *start + lease_ticks_;
}

void Raft::SendReadIndexResponse(const Message& request, uint64_t index) {
  CHECK_EQ(request.entries.size(), 1u);
  if (request.from == kNone || request.from == id_) {
    read_states_.push_back(ReadState{index, request.entries[0].data});
    return;
  }
  Message resp;
  resp.type = MessageType::kReadIndexResp;
  resp.to = request.from;
  resp.index = index;
  resp.entries = request.entries;
  Send(std::move(resp));
}

void Raft::ReleasePendingReadIndexMessages() {
  if (pending_read_index_messages_.empty()) return;
  if (!CommittedEntryInCurrentTerm()) return;
  std::vector<Message> pending = std::exchange(pending_read_index_messages_, {});
  for (const Message& m : pending) HandleReadIndexAtLeader(m);
}

}  // namespace raftlab::raft
