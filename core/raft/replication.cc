// Log replication: sending appends, heartbeats and snapshots; handling them
// at the follower; advancing the commit index at the leader (Raft §5.3-5.4).
#include <algorithm>

#include "core/base/check.h"
#include "core/raft/confchange.h"
#include "core/raft/raft.h"

namespace raftlab::raft {

bool Raft::MaybeSendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = trk_.progress.at(to);
  if (pr.IsPaused()) return false;
  const uint64_t prev_index = pr.next - 1;
  StorageResult<uint64_t> prev_term = raft_log_.Term(prev_index);
  if (!prev_term) return MaybeSendSnapshot(to, &pr);  // the follower is behind a compaction
  // With a full window, only an empty MsgApp may go (a heartbeat response
  // un-paused us): if everything in flight was lost, its answer tells us
  // where the follower is, and either answer clears the window.
  StorageResult<std::vector<Entry>> entries = std::vector<Entry>{};
  if (pr.state != ProgressState::kReplicate || !pr.inflights.Full()) {
    entries = raft_log_.Entries(pr.next, max_msg_size_);
  } else if (bugs_.Has(Bug::kInflightStall)) {
    // Bug zoo B17 (inflight-stall): nothing goes, not even after a heartbeat
    // response; if the whole window was lost, no answer ever clears it.
    return false;
  }
  if (!entries) return MaybeSendSnapshot(to, &pr);
  if (entries->empty() && !send_if_empty) return false;
  Message m;
  m.type = MessageType::kApp;
  m.to = to;
  m.index = prev_index;
  m.log_term = *prev_term;
  m.commit = raft_log_.committed();
  const size_t count = entries->size();
  const uint64_t bytes = EntriesSize(*entries);
  m.entries = std::move(*entries);
  Send(std::move(m));
  pr.SentEntries(count, bytes);
  return true;
}

bool Raft::MaybeSendSnapshot(NodeId to, Progress* pr) {
  if (!pr->recent_active) {
    RAFT_LOG(logger_, kDebug, "ignore sending snapshot to {} since it is not recently active",
             to);
    return false;
  }
  StorageResult<Snapshot> snapshot = raft_log_.GetSnapshot();
  if (!snapshot) {
    CHECK(snapshot.error() == StorageError::kSnapshotTemporarilyUnavailable);
    RAFT_LOG(logger_, kDebug, "{} failed to send snapshot to {} because snapshot is temporarily "
             "unavailable", id_, to);
    return false;
  }
  CHECK_MSG(!snapshot->IsEmpty(), "need non-empty snapshot");
  const uint64_t index = snapshot->metadata.index;
  RAFT_LOG(logger_, kDebug, "{} [firstindex: {}, commit: {}] sent snapshot[index: {}, term: {}] "
           "to {} [{}]", id_, raft_log_.FirstIndex(), raft_log_.committed(), index,
           snapshot->metadata.term, to, pr->String());
  pr->BecomeSnapshot(index);
  Message m;
  m.type = MessageType::kSnap;
  m.to = to;
  m.snapshot = std::move(*snapshot);
  Send(std::move(m));
  return true;
}

void Raft::SendHeartbeat(NodeId to, const std::string& context) {
  // Never tell a follower to commit beyond what it is known to have: its log
  // may be shorter (or diverge) past its match index.
  uint64_t commit = std::min(trk_.progress.at(to).match, raft_log_.committed());
  // Bug zoo B28 (heartbeat-uncapped-commit): a lagging follower crashes on
  // "tocommit out of range", or commits a stale tail it never verified.
  if (bugs_.Has(Bug::kHeartbeatUncappedCommit)) commit = raft_log_.committed();
  Message m;
  m.type = MessageType::kHeartbeat;
  m.to = to;
  m.commit = commit;
  m.context = context;
  Send(std::move(m));
}

void Raft::BcastAppend() {
  for (const auto& [id, pr] : trk_.progress) {
    if (id != id_) SendAppend(id);
  }
}

void Raft::BcastHeartbeat() {
  if (read_only_.option() == ReadOnlyOption::kLeaseBased) {
    // Every heartbeat is a round whose quorum of acks renews the lease.
    if (ticks_ >= lease_ticks_) read_only_.PruneRounds(ticks_ - lease_ticks_);
    BcastHeartbeatWithContext(ReadOnly::EncodeSeq(read_only_.StartRound(ticks_)));
    return;
  }
  const std::optional<uint64_t> seq = read_only_.LastPendingSeq();
  BcastHeartbeatWithContext(seq ? ReadOnly::EncodeSeq(*seq) : std::string());
}

void Raft::BcastHeartbeatWithContext(const std::string& context) {
  for (const auto& [id, pr] : trk_.progress) {
    if (id != id_) SendHeartbeat(id, context);
  }
}

bool Raft::AppendEntry(std::vector<Entry> entries) {
  uint64_t last = raft_log_.LastIndex();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].term = term_;
    entries[i].index = last + 1 + i;
  }
  if (!IncreaseUncommittedSize(entries)) {
    RAFT_LOG(logger_, kWarn, "{} appending new entries to log would exceed uncommitted entry "
             "size limit; dropping proposal", id_);
    return false;
  }
  last = raft_log_.Append(entries);
  // The leader's own acknowledgement: counted toward commit only when the
  // host has made these entries durable and acknowledged the Ready. One
  // pending self-ack suffices: a later one covers everything before it.
  if (!msgs_after_append_.empty()) {
    Message& prev = msgs_after_append_.back();
    if (prev.type == MessageType::kAppResp && prev.to == id_ && prev.term == term_) {
      CHECK_LT(prev.index, last);
      prev.index = last;
      return true;
    }
  }
  Message ack;
  ack.type = MessageType::kAppResp;
  ack.to = id_;
  ack.index = last;
  Send(std::move(ack));
  return true;
}

bool Raft::MaybeCommit() {
  const uint64_t index = trk_.Committed();
  // Bug zoo B01 (commit-prev-term): passing the entry's own term drops the
  // current-term condition, so an earlier term's entry commits by counting
  // replicas and a later leader may overwrite it (Figure 8).
  const uint64_t term =
      bugs_.Has(Bug::kCommitPrevTerm) ? raft_log_.TermOrZero(index) : term_;
  return raft_log_.MaybeCommit(index, term);
}

void Raft::HandleAppendEntries(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (m.index < raft_log_.committed()) {
    // Everything up to our commit index is already settled: say so.
    resp.index = raft_log_.committed();
    Send(std::move(resp));
    return;
  }
  if (std::optional<uint64_t> last = raft_log_.MaybeAppend(m.index, m.log_term, m.commit,
                                                           m.entries)) {
    // Bug zoo B02 (follower-commit-unverified): committing up to our last
    // index commits a stale tail beyond what this message proved matches.
    if (bugs_.Has(Bug::kFollowerCommitUnverified)) {
      raft_log_.CommitTo(std::min(m.commit, raft_log_.LastIndex()));
    }
    resp.index = *last;
    Send(std::move(resp));
    return;
  }
  RAFT_LOG(logger_, kDebug, "{} [logterm: {}, index: {}] rejected MsgApp [logterm: {}, index: "
           "{}] from {}", id_, raft_log_.TermOrZero(m.index), m.index, m.log_term, m.index,
           m.from);
  // Point the leader at the last entry that could possibly match: one whose
  // term is <= the leader's term at m.index. A whole run of entries from a
  // stale term is skipped in one round trip.
  const uint64_t hint_index = std::min(m.index, raft_log_.LastIndex());
  const auto [index, term] = raft_log_.FindConflictByTerm(hint_index, m.log_term);
  resp.index = m.index;
  resp.reject = true;
  resp.reject_hint = index;
  resp.log_term = term;
  Send(std::move(resp));
}

void Raft::HandleHeartbeat(const Message& m) {
  raft_log_.CommitTo(m.commit);
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  Send(std::move(resp));
}

void Raft::HandleSnapshot(const Message& m) {
  CHECK(m.snapshot.has_value());
  const SnapshotMetadata& meta = m.snapshot->metadata;
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (Restore(*m.snapshot)) {
    RAFT_LOG(logger_, kInfo, "{} [commit: {}] restored snapshot [index: {}, term: {}]", id_,
             raft_log_.committed(), meta.index, meta.term);
    resp.index = raft_log_.LastIndex();
  } else {
    RAFT_LOG(logger_, kInfo, "{} [commit: {}] ignored snapshot [index: {}, term: {}]", id_,
             raft_log_.committed(), meta.index, meta.term);
    resp.index = raft_log_.committed();
  }
  Send(std::move(resp));
}

bool Raft::Restore(const Snapshot& snapshot) {
  const SnapshotMetadata& meta = snapshot.metadata;
  if (meta.index <= raft_log_.committed()) return false;
  if (state_ != StateRole::kFollower) {
    // Only a follower of the current leader installs snapshots. Defensive:
    // become a follower in a new term so this cannot repeat.
    RAFT_LOG(logger_, kWarn, "{} attempted to restore snapshot as leader; should never happen",
             id_);
    BecomeFollower(term_ + 1, kNone);
    return false;
  }
  const ConfState& cs = meta.conf_state;
  const auto contains = [this](const std::vector<NodeId>& ids) {
    return std::find(ids.begin(), ids.end(), id_) != ids.end();
  };
  if (!contains(cs.voters) && !contains(cs.learners) && !contains(cs.voters_outgoing)) {
    RAFT_LOG(logger_, kWarn, "{} attempted to restore snapshot but it is not in the ConfState; "
             "should never happen", id_);
    return false;
  }
  if (raft_log_.MatchTerm(meta.index, meta.term)) {
    // We already have the snapshot's last entry: just move commit forward.
    RAFT_LOG(logger_, kInfo, "{} [commit: {}, lastindex: {}, lastterm: {}] fast-forwarded commit "
             "to snapshot [index: {}, term: {}]", id_, raft_log_.committed(),
             raft_log_.LastIndex(), raft_log_.LastTerm(), meta.index, meta.term);
    raft_log_.CommitTo(meta.index);
    return false;
  }
  if (raft_log_.applying() > raft_log_.applied()) {
    // The host still holds committed entries it has not applied; their conf
    // changes would then be applied on top of the snapshot's configuration.
    // Refuse for now: the leader sends the snapshot again.
    RAFT_LOG(logger_, kInfo, "{} [applied: {}, applying: {}] ignored snapshot [index: {}, term: "
             "{}] until its handed-out entries are applied", id_, raft_log_.applied(),
             raft_log_.applying(), meta.index, meta.term);
    return false;
  }
  raft_log_.Restore(snapshot);
  trk_.config = TrackerConfig();
  trk_.progress.clear();
  ChangeResult restored = RestoreConfig(trk_, raft_log_.LastIndex(), cs);
  CHECK_MSG(restored.has_value(), restored ? "" : "unable to restore config: " + restored.error());
  const ConfState applied = SwitchToConfig(restored->config, restored->progress);
  CHECK_MSG(applied == cs, "restored ConfState differs from the snapshot's");
  return true;
}

void Raft::HandleAppendResponse(const Message& m, Progress* pr) {
  pr->recent_active = true;
  if (m.reject) {
    RAFT_LOG(logger_, kDebug, "{} received MsgAppResp(rejected, hint: (index {}, term {})) from "
             "{} for index {}", id_, m.reject_hint, m.log_term, m.from, m.index);
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      // Skip every leader entry whose term is above the follower's term at
      // the hint: none of them can match.
      next_probe = raft_log_.FindConflictByTerm(m.reject_hint, m.log_term).first;
    }
    if (pr->MaybeDecrTo(m.index, next_probe)) {
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      SendAppend(m.from);
    }
    return;
  }
  const bool old_paused = pr->IsPaused();
  if (bugs_.Has(Bug::kMatchRegress) && m.index < pr->match) {
    // Bug zoo B27 (match-regress): a success reordered behind a newer one
    // sets match to its index instead of keeping the maximum; next follows
    // it back and everything past it is sent again.
    pr->match = m.index;
    pr->next = m.index + 1;
    pr->inflights.Reset();
  }
  const bool updated = pr->MaybeUpdate(m.index);
  // An ack of the probe at match (a follower already caught up) also moves
  // the follower from probing to replicating.
  if (!updated && !(pr->match == m.index && pr->state == ProgressState::kProbe)) return;
  switch (pr->state) {
    case ProgressState::kProbe: pr->BecomeReplicate(); break;
    case ProgressState::kSnapshot:
      if (pr->match + 1 >= raft_log_.FirstIndex()) {
        // The follower can continue from the log: leave snapshot mode.
        pr->BecomeProbe();
        pr->BecomeReplicate();
      } else if (pr->match >= pr->pending_snapshot) {
        // The follower applied the snapshot we sent, but our log was
        // compacted past it meanwhile. Probe again (which sends a newer
        // snapshot) instead of waiting for a snapshot report that a
        // transport may never send: found by the simulator, a follower
        // stuck behind forever (scenarios/snapshot-churn.yaml).
        pr->BecomeProbe();
      }
      break;
    case ProgressState::kReplicate: pr->inflights.FreeLE(m.index); break;
  }
  if (MaybeCommit()) {
    ReleasePendingReadIndexMessages();
    BcastAppend();
    // A non-voter leader (NonVoterMayCampaign) was elected only so that the
    // voters learn what it knows; once its no-op commits, the voters' match
    // says who is most up to date, and the appends that got them there
    // carried our commit index.
    MaybeHandOffLeadership();
  } else if (old_paused && m.from != id_) {
    SendAppend(m.from);
  }
  if (m.from != id_) {
    // The window may now allow several messages: send as many as fit.
    while (MaybeSendAppend(m.from, false)) {
    }
  }
  if (m.from == lead_transferee_ && pr->match == raft_log_.LastIndex()) {
    RAFT_LOG(logger_, kInfo, "{} sent MsgTimeoutNow to {} after received MsgAppResp", id_,
             m.from);
    SendTimeoutNow(m.from);
  }
}

void Raft::HandleHeartbeatResponse(const Message& m, Progress* pr) {
  pr->recent_active = true;
  // Let one MsgApp through even if the window is full: if every message in
  // it was lost, this (possibly empty) append is what gets the follower to
  // tell us where it really is.
  pr->msg_app_flow_paused = false;
  if (pr->match < raft_log_.LastIndex() || pr->state == ProgressState::kProbe) {
    SendAppend(m.from);
  }
  if (m.context.empty()) return;
  const std::optional<uint64_t> seq = ReadOnly::DecodeSeq(m.context);
  if (!seq) return;
  read_only_.RecvAck(m.from, *seq);
  for (const ReadIndexRequest& rs : read_only_.Advance(trk_.config.voters)) {
    SendReadIndexResponse(rs.request, rs.index);
  }
}

void Raft::HandleSnapStatus(const Message& m, Progress* pr) {
  if (pr->state != ProgressState::kSnapshot) return;
  if (!m.reject) {
    pr->BecomeProbe();
    RAFT_LOG(logger_, kDebug, "{} snapshot succeeded, resumed sending replication messages to "
             "{} [{}]", id_, m.from, pr->String());
  } else {
    // The snapshot did not arrive: probe from match again.
    pr->pending_snapshot = 0;
    pr->BecomeProbe();
    RAFT_LOG(logger_, kDebug, "{} snapshot failed, resumed sending replication messages to {} "
             "[{}]", id_, m.from, pr->String());
  }
  // Wait for the follower's answer to a heartbeat before probing.
  pr->msg_app_flow_paused = true;
}

}  // namespace raftlab::raft
