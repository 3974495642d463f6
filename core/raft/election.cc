// Elections: starting a campaign (with or without pre-vote), granting or
// refusing votes, and counting them (Raft §5.2, thesis §9.6 for pre-vote).
#include "core/base/check.h"
#include "core/raft/raft.h"

namespace raftlab::raft {

void Raft::Hup(CampaignType type) {
  if (state_ == StateRole::kLeader) {
    RAFT_LOG(logger_, kDebug, "{} ignoring MsgHup because already leader", id_);
    return;
  }
  if (!Promotable()) {
    RAFT_LOG(logger_, kWarn, "{} is unpromotable and can not campaign", id_);
    return;
  }
  // Configurations take effect when applied: a node whose committed config
  // is not yet applied would count votes against a stale voter set.
  // Bug zoo B04 (campaign-unapplied-conf): skipping this lets two leaders
  // win one term, each counting a different voter set.
  if (!bugs_.Has(Bug::kCampaignUnappliedConf) && HasUnappliedConfChanges()) {
    RAFT_LOG(logger_, kWarn, "{} cannot campaign at term {} since there are still pending "
             "configuration changes to apply", id_, term_);
    return;
  }
  RAFT_LOG(logger_, kInfo, "{} is starting a new election at term {}", id_, term_);
  Campaign(type);
}

void Raft::CampaignAsNonVoter() {
  CHECK(NonVoterMayCampaign());
  // As for a voter (see Hup): a stale configuration must not count votes.
  if (!bugs_.Has(Bug::kCampaignUnappliedConf) && HasUnappliedConfChanges()) {
    RAFT_LOG(logger_, kWarn, "{} cannot campaign at term {} since there are still pending "
             "configuration changes to apply", id_, term_);
    return;
  }
  RAFT_LOG(logger_, kInfo, "{} is no voter but heard no leader; starting a new election at "
           "term {}", id_, term_);
  // Always with pre-vote first: it fails wherever a voter's log is ahead of
  // ours or a voter still hears a leader (check-quorum), so a non-voter
  // disturbs nobody unless the voters need it.
  Campaign(CampaignType::kPreElection);
}

void Raft::Campaign(CampaignType type) {
  CHECK(Promotable() || NonVoterMayCampaign());
  MessageType vote_type;
  uint64_t term;
  if (type == CampaignType::kPreElection) {
    BecomePreCandidate();
    vote_type = MessageType::kPreVote;
    term = term_ + 1;  // the term we would campaign for; ours does not change yet
  } else {
    BecomeCandidate();
    vote_type = MessageType::kVote;
    term = term_;
  }
  for (NodeId id : trk_.VoterNodes()) {
    Message m;
    m.to = id;
    m.term = term;
    if (id == id_) {
      // Our own vote counts only once it is durable: it is stepped back in
      // when the host acknowledges this Ready.
      m.type = VoteResponseType(vote_type);
      Send(std::move(m));
      continue;
    }
    m.type = vote_type;
    m.index = raft_log_.LastIndex();
    m.log_term = raft_log_.LastTerm();
    if (type == CampaignType::kTransfer) m.context = kCampaignTransfer;
    RAFT_LOG(logger_, kInfo, "{} [logterm: {}, index: {}] sent {} request to {} at term {}",
             id_, m.log_term, m.index, MessageTypeName(vote_type), id, term_);
    Send(std::move(m));
  }
}

VoteResult Raft::Poll(NodeId id, MessageType type, bool granted) {
  if (granted) {
    RAFT_LOG(logger_, kInfo, "{} received {} from {} at term {}", id_, MessageTypeName(type), id,
             term_);
  } else {
    RAFT_LOG(logger_, kInfo, "{} received {} rejection from {} at term {}", id_,
             MessageTypeName(type), id, term_);
  }
  trk_.RecordVote(id, granted);
  size_t yes = 0;
  size_t no = 0;
  VoteResult result = trk_.TallyVotes(&yes, &no);
  // Bug zoo B20 (double-count-votes): a tally that counts responses, not
  // voters, wins on a duplicated MsgVoteResp with too few distinct votes.
  if (bugs_.Has(Bug::kDoubleCountVotes) && granted) {
    ++granted_vote_count_;
    if (granted_vote_count_ > trk_.config.voters.incoming.size() / 2) result = VoteResult::kWon;
  }
  RAFT_LOG(logger_, kInfo, "{} has received {} {} votes and {} vote rejections", id_, yes,
           MessageTypeName(type), no);
  return result;
}

void Raft::HandleVoteRequest(const Message& m) {
  // We may vote again for the node we already voted for (a retransmission),
  // vote afresh if we have neither voted nor know a leader in this term, and
  // always answer a pre-vote for a future term (it changes nothing here).
  bool can_vote = vote_ == m.from || (vote_ == kNone && lead_ == kNone) ||
                  (m.type == MessageType::kPreVote && m.term > term_);
  // Bug zoo B05 (learner-refuses-vote): a learner whose promotion committed
  // without reaching it withholds the vote the only electable node needs.
  if (bugs_.Has(Bug::kLearnerRefusesVote) && is_learner_) can_vote = false;
  const MessageType resp_type = VoteResponseType(m.type);
  Message resp;
  resp.to = m.from;
  resp.type = resp_type;
  if (can_vote && raft_log_.IsUpToDate(m.index, m.log_term)) {
    RAFT_LOG(logger_, kInfo, "{} [logterm: {}, index: {}, vote: {}] cast {} for {} [logterm: {}, "
             "index: {}] at term {}", id_, raft_log_.LastTerm(), raft_log_.LastIndex(), vote_,
             MessageTypeName(m.type), m.from, m.log_term, m.index, term_);
    // Answer with the term of the request, not ours: a pre-vote granted by a
    // node with a lower term would otherwise look stale to the candidate and
    // a node behind could never help elect a node ahead.
    resp.term = m.term;
    // Bug zoo B14 (pre-vote-stale-term): a pre-candidate ahead in term drops
    // the grant as stale, so nodes behind can never help elect it; and the
    // pre-candidate behind gets no answer at all (raft.cc, StepByTerm), so
    // it never learns the higher term either: etcd #8243. (A term-0 node
    // keeps m.term: a vote response must carry a term.)
    if (bugs_.Has(Bug::kPreVoteStaleTerm) && m.type == MessageType::kPreVote && term_ != 0) {
      resp.term = term_;
    }
    Send(std::move(resp));
    if (m.type == MessageType::kVote) {
      CHECK_EQ(m.term, term_);
      election_elapsed_ = 0;
      vote_ = m.from;
    }
    return;
  }
  RAFT_LOG(logger_, kInfo, "{} [logterm: {}, index: {}, vote: {}] rejected {} from {} "
           "[logterm: {}, index: {}] at term {}", id_, raft_log_.LastTerm(),
           raft_log_.LastIndex(), vote_, MessageTypeName(m.type), m.from, m.log_term, m.index,
           term_);
  resp.term = term_;
  resp.reject = true;
  Send(std::move(resp));
}

StepResult Raft::StepCandidate(const Message& m) {
  const MessageType my_vote_resp = state_ == StateRole::kPreCandidate
                                       ? MessageType::kPreVoteResp
                                       : MessageType::kVoteResp;
  switch (m.type) {
    case MessageType::kProp:
      RAFT_LOG(logger_, kInfo, "{} no leader at term {}; dropping proposal", id_, term_);
      return StepResult::kProposalDropped;
    case MessageType::kApp:
      BecomeFollower(m.term, m.from);  // a leader exists for this term
      HandleAppendEntries(m);
      return StepResult::kOk;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      return StepResult::kOk;
    case MessageType::kSnap:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      return StepResult::kOk;
    case MessageType::kTimeoutNow:
      RAFT_LOG(logger_, kDebug, "{} [term {} state {}] ignored MsgTimeoutNow from {}", id_,
               term_, StateRoleName(state_), m.from);
      return StepResult::kOk;
    default:
      break;
  }
  if (m.type != my_vote_resp) return StepResult::kOk;
  const VoteResult result = Poll(m.from, m.type, !m.reject);
  if (result == VoteResult::kWon) {
    if (state_ == StateRole::kPreCandidate) {
      Campaign(CampaignType::kElection);
    } else {
      BecomeLeader();
      BcastAppend();
    }
  } else if (result == VoteResult::kLost) {
    // A pre-candidate's rejection with a higher term already made us a
    // follower in StepByTerm; here we only fall back.
    BecomeFollower(term_, kNone);
  }
  return StepResult::kOk;
}

}  // namespace raftlab::raft
