#include "core/raft/raft.h"

#include <algorithm>

#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/raft/confchange.h"

namespace raftlab::raft {
namespace {

// Bug zoo B21 (same-election-seed): the seed every node shares, like Go's
// RNG seeded from one simulated instant (etcd-io/etcd#15784).
constexpr uint64_t kSameElectionSeed = 1;

}  // namespace

const char* StepResultName(StepResult result) {
  switch (result) {
    case StepResult::kOk: return "ok";
    case StepResult::kProposalDropped: return "raft proposal dropped";
    case StepResult::kLocalMessage: return "raft: cannot step raft local message";
    case StepResult::kPeerNotFound: return "raft: cannot step as peer not found";
  }
  return "unknown";
}

// A follower that heard the leader refuses votes until it has ticked
// election_tick times, which takes at least election_tick - 1 of its tick
// periods. The leader's lease must end within that window measured by the
// fastest follower clock and the slowest leader clock.
uint64_t Raft::LeaseTicks(const Config& config) {
  const uint64_t window = static_cast<uint64_t>(config.election_tick - 1);
  const uint64_t drift = config.max_clock_drift_ppm;
  return window * (1'000'000 - drift) / (1'000'000 + drift);
}

Raft::Raft(const Config& config)
    : id_(config.id),
      raft_log_(*config.storage, config.max_committed_size_per_ready),
      max_msg_size_(config.max_size_per_msg),
      max_uncommitted_size_(config.max_uncommitted_entries_size),
      trk_(config.max_inflight_msgs, config.max_inflight_bytes),
      read_only_(config.read_only_option),
      check_quorum_(config.check_quorum),
      // Bug zoo B12 (no-pre-vote): a node rejoining after a partition
      // campaigns with a raised term and deposes a healthy leader.
      pre_vote_(config.pre_vote && !config.bugs.Has(Bug::kNoPreVote)),
      disable_proposal_forwarding_(config.disable_proposal_forwarding),
      heartbeat_timeout_(config.heartbeat_tick),
      election_timeout_(config.election_tick),
      lease_ticks_(LeaseTicks(config)),
      prng_(*config.prng),
      logger_(config.logger),
      bugs_(config.bugs),
      same_seed_prng_(kSameElectionSeed) {
  const Status valid = config.Validate();
  CHECK_MSG(valid.has_value(), valid ? "" : valid.error().message);
  const InitialState initial = config.storage->GetInitialState();
  ChangeResult restored = RestoreConfig(trk_, raft_log_.LastIndex(), initial.conf_state);
  CHECK_MSG(restored.has_value(), restored ? "" : restored.error());
  const ConfState cs = SwitchToConfig(restored->config, restored->progress);
  CHECK_MSG(cs == initial.conf_state, "restored config differs from the stored ConfState");
  if (!initial.hard_state.IsEmpty()) LoadState(initial.hard_state);
  if (config.applied > 0) raft_log_.AppliedTo(config.applied);
  BecomeFollower(term_, kNone);
  RAFT_LOG(logger_, kInfo, "newRaft {} [peers: {}, term: {}, commit: {}, applied: {}, "
           "lastindex: {}, lastterm: {}]", id_, trk_.config.voters.String(), term_,
           raft_log_.committed(), raft_log_.applied(), raft_log_.LastIndex(),
           raft_log_.LastTerm());
}

void Raft::LoadState(const HardState& hs) {
  CHECK_MSG(hs.commit >= raft_log_.committed() && hs.commit <= raft_log_.LastIndex(),
            std::to_string(id_) + " state.commit " + std::to_string(hs.commit) +
                " is out of range [" + std::to_string(raft_log_.committed()) + ", " +
                std::to_string(raft_log_.LastIndex()) + "]");
  raft_log_.CommitTo(hs.commit);
  term_ = hs.term;
  vote_ = hs.vote;
}

std::vector<Message> Raft::TakeMessages() { return std::exchange(msgs_, {}); }
std::vector<Message> Raft::TakeMessagesAfterAppend() {
  return std::exchange(msgs_after_append_, {});
}
std::vector<ReadState> Raft::TakeReadStates() { return std::exchange(read_states_, {}); }

void Raft::Send(Message m) {
  if (m.from == kNone) m.from = id_;
  const MessageType t = m.type;
  if (t == MessageType::kVote || t == MessageType::kVoteResp || t == MessageType::kPreVote ||
      t == MessageType::kPreVoteResp) {
    // A vote carries the term it is for: the candidate's next term for a
    // pre-vote, the candidate's term for a vote.
    CHECK_NE(m.term, 0u);
  } else {
    // Everything else carries our current term, except proposals and read
    // requests forwarded to the leader, which are local in nature.
    CHECK_EQ(m.term, 0u);
    if (t != MessageType::kProp && t != MessageType::kReadIndex) m.term = term_;
  }
  // Responses to appends and votes depend on state that must be durable first.
  if (t == MessageType::kAppResp || t == MessageType::kVoteResp ||
      t == MessageType::kPreVoteResp) {
    msgs_after_append_.push_back(std::move(m));
  } else {
    CHECK_NE(m.to, id_);
    msgs_.push_back(std::move(m));
  }
}

void Raft::ResetRandomizedElectionTimeout() {
  // Bug zoo B21 (same-election-seed): identical streams give every node the
  // same timeouts, so simultaneous candidates split the vote again and again.
  Prng& prng = bugs_.Has(Bug::kSameElectionSeed) ? same_seed_prng_ : prng_;
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(prng.Index(static_cast<uint64_t>(election_timeout_)));
  CHECK_GE(randomized_election_timeout_, election_timeout_);
  CHECK_LT(randomized_election_timeout_, 2 * election_timeout_);
}

void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    CHECK_GT(term, term_);
    term_ = term;
    vote_ = kNone;
    // Responses of an older term that have not left yet promise state that
    // may never become durable: an acknowledgement of entries that a leader
    // of the new term is about to overwrite in the same unpersisted Ready
    // would be counted by the old leader toward committing them. Dropping a
    // message is always safe; a phantom acknowledgement is not.
    std::erase_if(msgs_after_append_, [term](const Message& m) { return m.term < term; });
  }
  lead_ = kNone;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  lease_void_ = false;
  trk_.ResetVotes();
  granted_vote_count_ = 0;
  const uint64_t last = raft_log_.LastIndex();
  for (auto& [id, pr] : trk_.progress) {
    const bool learner = pr.is_learner;
    pr = Progress(last + 1, trk_.max_inflight(), trk_.max_inflight_bytes(), learner);
    // The leader's own match starts at 0 and rises only through its own
    // acknowledgements, which come after the entries are durable.
  }
  pending_conf_index_ = 0;
  uncommitted_size_ = 0;
  read_only_.Reset();
  // Reads waiting for this term's first commit die with the term; their
  // clients time out and retry, as with any lost request.
  pending_read_index_messages_.clear();
}

void Raft::BecomeFollower(uint64_t term, NodeId lead) {
  Reset(term);
  lead_ = lead;
  state_ = StateRole::kFollower;
  RAFT_LOG(logger_, kInfo, "{} became follower at term {}", id_, term_);
}

void Raft::BecomeCandidate() {
  CHECK_MSG(state_ != StateRole::kLeader, "invalid transition [leader -> candidate]");
  Reset(term_ + 1);
  vote_ = id_;
  state_ = StateRole::kCandidate;
  RAFT_LOG(logger_, kInfo, "{} became candidate at term {}", id_, term_);
}

void Raft::BecomePreCandidate() {
  CHECK_MSG(state_ != StateRole::kLeader, "invalid transition [leader -> pre-candidate]");
  // Pre-vote changes neither term nor vote. Forgetting the leader matters:
  // a pre-candidate that still believes in a leader would reject its peers'
  // pre-votes as "in lease" and they would reject each other forever.
  trk_.ResetVotes();
  granted_vote_count_ = 0;
  // Bug zoo B15 (pre-candidate-keeps-leader): two such pre-candidates each
  // think the other's pre-vote disturbs a live leader.
  if (!bugs_.Has(Bug::kPreCandidateKeepsLeader)) lead_ = kNone;
  state_ = StateRole::kPreCandidate;
  RAFT_LOG(logger_, kInfo, "{} became pre-candidate at term {}", id_, term_);
}

void Raft::BecomeLeader() {
  CHECK_MSG(state_ != StateRole::kFollower, "invalid transition [follower -> leader]");
  Reset(term_);
  lead_ = id_;
  state_ = StateRole::kLeader;
  // A non-voter leader (NonVoterMayCampaign) may be outside the configuration
  // altogether: it has no progress of its own, and needs none, since its
  // acknowledgements never count toward a quorum.
  auto it = trk_.progress.find(id_);
  if (it != trk_.progress.end()) {
    it->second.BecomeReplicate();
    it->second.recent_active = true;
  } else {
    CHECK(!trk_.config.voters.Contains(id_));
  }
  // Conservatively treat every configuration change in the log as pending:
  // a new leader may not propose one until everything it inherited is applied.
  // Bug zoo B03 (conf-change-no-guard): with 0, a conf change proposed now
  // may contradict an uncommitted one from an earlier term.
  pending_conf_index_ = bugs_.Has(Bug::kConfChangeNoGuard) ? 0 : raft_log_.LastIndex();
  // The empty entry commits everything from earlier terms (§5.4.2) and lets
  // ReadIndex learn the commit index of this term. It is never dropped.
  const bool appended = AppendEntry({Entry{}});
  CHECK(appended);
  RAFT_LOG(logger_, kInfo, "{} became leader at term {}", id_, term_);
}

void Raft::Tick() {
  ++ticks_;
  if (state_ == StateRole::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (!PastElectionTimeout()) return;
  if (Promotable()) {
    election_elapsed_ = 0;
    Message m;
    m.type = MessageType::kHup;
    m.from = id_;
    Step(std::move(m));
  } else if (NonVoterMayCampaign()) {
    // Only its own election timer makes a non-voter campaign: a host's
    // MsgHup (Campaign()) or a stale MsgTimeoutNow is refused, as in etcd.
    election_elapsed_ = 0;
    CampaignAsNonVoter();
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_) {
      Message m;
      m.type = MessageType::kCheckQuorum;
      m.from = id_;
      Step(std::move(m));
    }
    // A transfer that did not finish within an election timeout is abandoned
    // (a leader that is no longer a voter then tries again).
    if (state_ == StateRole::kLeader && lead_transferee_ != kNone) AbortLeaderTransfer();
    MaybeHandOffLeadership();
  }
  if (state_ != StateRole::kLeader) return;
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    Message m;
    m.type = MessageType::kBeat;
    m.from = id_;
    Step(std::move(m));
  }
}

// Handles the term of an incoming message. Returns false if the message must
// be ignored; sets *handled when this function already answered it.
bool Raft::StepByTerm(const Message& m, bool* handled) {
  *handled = false;
  const bool is_vote = m.type == MessageType::kVote || m.type == MessageType::kPreVote;
  if (m.term > term_) {
    if (is_vote) {
      const bool force = m.context == kCampaignTransfer;
      // A node that restarted cannot know when it last heard a leader, so
      // under leader leases it waits an election timeout before voting.
      const bool just_started =
          read_only_.option() == ReadOnlyOption::kLeaseBased && ticks_ < uint64_t(election_timeout_);
      bool in_lease = check_quorum_ && (lead_ != kNone || just_started) &&
                      election_elapsed_ < election_timeout_;
      // Bug zoo B13 (pre-vote-ignores-leader): a node cut off from the leader
      // only wins pre-votes through a neighbour that still hears the leader.
      if (bugs_.Has(Bug::kPreVoteIgnoresLeader) && m.type == MessageType::kPreVote) {
        in_lease = false;
      }
      if (!force && in_lease) {
        // We heard from a leader within the minimum election timeout: do not
        // let a disruptive node depose it (and do not adopt its term).
        RAFT_LOG(logger_, kInfo, "{} [logterm: {}, index: {}, vote: {}] ignored {} from {} "
                 "[logterm: {}, index: {}] at term {}: lease is not expired "
                 "(remaining ticks: {})", id_, raft_log_.LastTerm(), raft_log_.LastIndex(),
                 vote_, MessageTypeName(m.type), m.from, m.log_term, m.index, term_,
                 election_timeout_ - election_elapsed_);
        return false;
      }
    }
    if (m.type == MessageType::kPreVote) {
      // A pre-vote never changes our term.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // A granted pre-vote carries the term we will campaign for; the term
      // changes only when the real election starts.
    } else {
      RAFT_LOG(logger_, kInfo, "{} [term: {}] received a {} message with higher term from {} "
               "[term: {}]", id_, term_, MessageTypeName(m.type), m.from, m.term);
      const bool from_leader = m.type == MessageType::kApp ||
                               m.type == MessageType::kHeartbeat ||
                               m.type == MessageType::kSnap;
      BecomeFollower(m.term, from_leader ? m.from : kNone);
    }
    return true;
  }
  if (m.term < term_) {
    if (m.type == MessageType::kHeartbeat || m.type == MessageType::kApp) {
      // A stale leader (partitioned, now back) would never learn of the new
      // term if we stayed silent. Answer so it steps down (Raft §5.1). etcd
      // answers only under check-quorum or pre-vote, and otherwise counts
      // on the stale leader receiving a vote request of the higher term; but
      // candidates ask only the voters of their own configuration, which
      // under membership churn need not include that leader (RaftSwarm
      // seed 3233: it led for ever, unheard, beside a cluster at term 444).
      Message resp;
      resp.to = m.from;
      resp.type = MessageType::kAppResp;
      Send(std::move(resp));
    } else if (m.type == MessageType::kVote) {
      // Raft §5.1: "reply false if term < currentTerm", with our term, which
      // the candidate then adopts. etcd stays silent; under membership churn
      // a candidate whose term lags the one voter it needs (which campaigns
      // for its own, stale configuration and so never asks the candidate)
      // then chases that voter's term forever (RaftSwarm seed 6529).
      Message resp;
      resp.to = m.from;
      resp.type = MessageType::kVoteResp;
      resp.term = term_;
      resp.reject = true;
      Send(std::move(resp));
    } else if (m.type == MessageType::kPreVote && !bugs_.Has(Bug::kPreVoteStaleTerm)) {
      // Reject with our term so a lagging pre-candidate catches up. (Bug
      // zoo B14 recreates etcd before #8525, where this answer did not
      // exist yet: with it, the stale-term grant of election.cc costs one
      // wasted round, not the deadlock of etcd #8243.)
      Message resp;
      resp.to = m.from;
      resp.type = MessageType::kPreVoteResp;
      resp.term = term_;
      resp.reject = true;
      Send(std::move(resp));
    } else {
      RAFT_LOG(logger_, kInfo, "{} [term: {}] ignored a {} message with lower term from {} "
               "[term: {}]", id_, term_, MessageTypeName(m.type), m.from, m.term);
    }
    *handled = true;
    return false;
  }
  return true;
}

StepResult Raft::Step(Message m) {
  bool handled = false;
  if (m.term != 0 && !StepByTerm(m, &handled)) return StepResult::kOk;
  switch (m.type) {
    case MessageType::kHup:
      Hup(pre_vote_ ? CampaignType::kPreElection : CampaignType::kElection);
      return StepResult::kOk;
    case MessageType::kVote:
    case MessageType::kPreVote:
      HandleVoteRequest(m);
      return StepResult::kOk;
    default:
      break;
  }
  switch (state_) {
    case StateRole::kLeader: return StepLeader(m);
    case StateRole::kCandidate:
    case StateRole::kPreCandidate: return StepCandidate(m);
    case StateRole::kFollower: return StepFollower(m);
  }
  UNREACHABLE();
}

bool Raft::Promotable() const {
  auto it = trk_.progress.find(id_);
  return it != trk_.progress.end() && !it->second.is_learner &&
         !raft_log_.HasNextOrInProgressSnapshot();
}

bool Raft::NonVoterMayCampaign() const {
  if (trk_.config.voters.Contains(id_)) return false;  // a voter campaigns as one
  // A node that never held a configuration (a new member waiting for its
  // first snapshot) has nobody to ask.
  if (trk_.config.voters.incoming.empty()) return false;
  return !raft_log_.HasNextOrInProgressSnapshot();
}

bool Raft::HasUnappliedConfChanges() const {
  if (raft_log_.applied() >= raft_log_.committed()) return false;
  // Scan the committed, unapplied entries page by page.
  uint64_t lo = raft_log_.applied() + 1;
  const uint64_t hi = raft_log_.committed() + 1;
  while (lo < hi) {
    StorageResult<std::vector<Entry>> page = raft_log_.Slice(lo, hi, max_msg_size_);
    CHECK_MSG(page.has_value(), "error scanning unapplied entries");
    for (const Entry& e : *page) {
      if (e.type == EntryType::kConfChange || e.type == EntryType::kConfChangeV2) return true;
    }
    lo += page->size();
  }
  return false;
}

bool Raft::IncreaseUncommittedSize(const std::vector<Entry>& entries) {
  uint64_t bytes = 0;
  for (const Entry& e : entries) bytes += PayloadSize(e);
  // Always admit a proposal when nothing is outstanding, so a single large
  // entry cannot wedge the leader; and empty entries (leader no-ops, leave-joint
  // changes) never count.
  if (uncommitted_size_ > 0 && bytes > 0 && uncommitted_size_ + bytes > max_uncommitted_size_) {
    return false;
  }
  uncommitted_size_ += bytes;
  return true;
}

void Raft::ReduceUncommittedSize(uint64_t bytes) {
  // Entries applied here may have been proposed by an earlier leader (and
  // never counted): clamp at zero rather than underflow.
  uncommitted_size_ = bytes > uncommitted_size_ ? 0 : uncommitted_size_ - bytes;
}

void Raft::OnApplied(uint64_t index, uint64_t bytes) {
  const uint64_t old_applied = raft_log_.applied();
  raft_log_.AppliedTo(index);
  // Bug zoo B18 (uncommitted-size-leak): applied entries stay counted, so
  // the limit fills up and the leader drops every later proposal.
  if (state_ == StateRole::kLeader && !bugs_.Has(Bug::kUncommittedSizeLeak)) {
    ReduceUncommittedSize(bytes);
  }
  // Leave an auto-leave joint configuration once its entry is applied.
  if (trk_.config.auto_leave && old_applied < index && index >= pending_conf_index_ &&
      state_ == StateRole::kLeader) {
    Entry leave;
    leave.type = EntryType::kConfChangeV2;
    leave.data = EncodeConfChangeV2(ConfChangeV2{});
    Message m;
    m.type = MessageType::kProp;
    m.from = id_;
    m.entries.push_back(std::move(leave));
    const StepResult r = Step(std::move(m));
    RAFT_LOG(logger_, kInfo, "initiating automatic transition out of joint configuration {}{}",
             trk_.config.voters.String(), r == StepResult::kOk ? "" : " (dropped)");
  }
}

}  // namespace raftlab::raft
