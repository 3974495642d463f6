#include "core/raft/raw_node.h"

#include "core/base/check.h"
#include "core/raft/codec.h"

namespace raftlab::raft {

bool Ready::ContainsUpdates() const {
  return soft_state.has_value() || !hard_state.IsEmpty() || !snapshot.IsEmpty() ||
         !entries.empty() || !committed_entries.empty() || !messages.empty() ||
         !read_states.empty();
}

RawNode::RawNode(const Config& config) : raft_(config) {
  prev_soft_state_ = raft_.GetSoftState();
  prev_hard_state_ = raft_.GetHardState();
}

void RawNode::Campaign() {
  Message m;
  m.type = MessageType::kHup;
  raft_.Step(std::move(m));
}

StepResult RawNode::ProposeEntry(EntryType type, std::string data) {
  Message m;
  m.type = MessageType::kProp;
  m.from = raft_.id();
  m.entries.push_back(Entry{0, 0, type, std::move(data)});
  return raft_.Step(std::move(m));
}

StepResult RawNode::Propose(std::string data) {
  return ProposeEntry(EntryType::kNormal, std::move(data));
}

StepResult RawNode::ProposeConfChange(const ConfChange& cc) {
  return ProposeEntry(EntryType::kConfChange, EncodeConfChange(cc));
}

StepResult RawNode::ProposeConfChange(const ConfChangeV2& cc) {
  return ProposeEntry(EntryType::kConfChangeV2, EncodeConfChangeV2(cc));
}

StepResult RawNode::Step(const Message& m) {
  if (IsLocalMessage(m.type)) return StepResult::kLocalMessage;
  // Responses from nodes outside the configuration carry nothing useful.
  if (IsResponseMessage(m.type) && raft_.tracker().progress.count(m.from) == 0) {
    return StepResult::kPeerNotFound;
  }
  return raft_.Step(m);
}

void RawNode::ReadIndex(std::string context) {
  Message m;
  m.type = MessageType::kReadIndex;
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, std::move(context)});
  raft_.Step(std::move(m));
}

void RawNode::TransferLeader(NodeId transferee) {
  Message m;
  m.type = MessageType::kTransferLeader;
  m.from = transferee;  // by convention the transferee travels in `from`
  raft_.Step(std::move(m));
}

void RawNode::ReportUnreachable(NodeId id) {
  Message m;
  m.type = MessageType::kUnreachable;
  m.from = id;
  raft_.Step(std::move(m));
}

void RawNode::ReportSnapshot(NodeId id, bool failed) {
  Message m;
  m.type = MessageType::kSnapStatus;
  m.from = id;
  m.reject = failed;
  raft_.Step(std::move(m));
}

bool RawNode::HasReady() const {
  if (ready_outstanding_) return false;
  if (!(raft_.GetSoftState() == prev_soft_state_)) return true;
  const HardState hs = raft_.GetHardState();
  if (!hs.IsEmpty() && !(hs == prev_hard_state_)) return true;
  const RaftLog& log = raft_.raft_log();
  if (log.HasNextOrInProgressSnapshot() || !log.UnstableEntries().empty()) return true;
  if (raft_.HasPendingOutput()) return true;
  return log.HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  CHECK_MSG(!ready_outstanding_, "GetReady called again before Advance");
  Ready rd;
  const SoftState ss = raft_.GetSoftState();
  if (!(ss == prev_soft_state_)) {
    rd.soft_state = ss;
    prev_soft_state_ = ss;
  }
  const HardState hs = raft_.GetHardState();
  if (!(hs == prev_hard_state_)) rd.hard_state = hs;
  RaftLog& log = raft_.mutable_raft_log();
  rd.entries = log.UnstableEntries();
  if (log.UnstableSnapshot()) rd.snapshot = *log.UnstableSnapshot();
  rd.committed_entries = log.NextCommittedEntries();
  rd.messages = raft_.TakeMessages();
  for (Message& m : raft_.TakeMessagesAfterAppend()) {
    if (m.to == raft_.id()) {
      self_messages_.push_back(std::move(m));
    } else {
      rd.messages.push_back(std::move(m));
    }
  }
  rd.read_states = raft_.TakeReadStates();
  rd.must_sync = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote ||
                 !rd.entries.empty();
  prev_hard_state_ = hs;

  if (!rd.entries.empty()) stable_to_ = {rd.entries.back().index, rd.entries.back().term};
  stable_snapshot_index_ = rd.snapshot.metadata.index;
  if (!rd.committed_entries.empty()) {
    applied_to_ = rd.committed_entries.back().index;
    applied_bytes_ = 0;
    for (const Entry& e : rd.committed_entries) applied_bytes_ += PayloadSize(e);
    CHECK_LE(applied_to_, log.committed());
    log.AcceptApplying(applied_to_);
  }
  ready_outstanding_ = true;
  return rd;
}

void RawNode::Advance() { AdvanceImpl(/*applied=*/true); }

void RawNode::AdvanceUnapplied() { AdvanceImpl(/*applied=*/false); }

void RawNode::AppliedTo(uint64_t index) {
  uint64_t bytes = 0;
  size_t done = 0;
  while (done < unapplied_batches_.size() && unapplied_batches_[done].first <= index) {
    bytes += unapplied_batches_[done].second;
    ++done;
  }
  CHECK_MSG(done > 0 && unapplied_batches_[done - 1].first == index,
            "AppliedTo must name the last entry of a batch handed out unapplied");
  unapplied_batches_.erase(unapplied_batches_.begin(),
                           unapplied_batches_.begin() + static_cast<std::ptrdiff_t>(done));
  raft_.OnApplied(index, bytes);
}

void RawNode::AdvanceImpl(bool applied) {
  CHECK_MSG(ready_outstanding_, "Advance called without an outstanding Ready");
  ready_outstanding_ = false;
  RaftLog& log = raft_.mutable_raft_log();
  if (stable_to_) log.StableTo(stable_to_->first, stable_to_->second);
  if (stable_snapshot_index_ != 0) {
    CHECK_MSG(unapplied_batches_.empty(), "a snapshot applied before earlier committed entries");
    log.StableSnapTo(stable_snapshot_index_);
    // A snapshot applied by the host counts as applied up to its index.
    if (stable_snapshot_index_ > log.applied()) log.AppliedTo(stable_snapshot_index_);
  }
  if (applied_to_ != 0) {
    if (applied) {
      CHECK_MSG(unapplied_batches_.empty(), "Advance() with earlier batches still unapplied");
      raft_.OnApplied(applied_to_, applied_bytes_);
    } else {
      unapplied_batches_.emplace_back(applied_to_, applied_bytes_);
    }
  }
  stable_to_.reset();
  stable_snapshot_index_ = 0;
  applied_to_ = 0;
  applied_bytes_ = 0;
  // The node's own votes and acknowledgements count now that they are durable.
  std::vector<Message> self = std::exchange(self_messages_, {});
  for (Message& m : self) raft_.Step(std::move(m));
}

Status RawNode::GetStatus() const {
  Status s;
  s.id = raft_.id();
  s.hard_state = raft_.GetHardState();
  s.soft_state = raft_.GetSoftState();
  s.applied = raft_.raft_log().applied();
  s.lead_transferee = raft_.lead_transferee();
  s.config = raft_.tracker().config;
  if (raft_.state() == StateRole::kLeader) {
    for (const auto& [id, pr] : raft_.tracker().progress) s.progress.emplace(id, pr);
  }
  return s;
}

}  // namespace raftlab::raft
