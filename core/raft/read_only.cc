#include "core/raft/read_only.h"

#include <algorithm>

#include "core/base/check.h"
#include "core/base/fixed64.h"

namespace raftlab::raft {

uint64_t ReadOnly::AddRequest(uint64_t commit_index, const Message& request, uint64_t tick) {
  CHECK(request.type == MessageType::kReadIndex);
  const uint64_t seq = next_seq_++;
  if (!queue_.empty()) CHECK_GT(seq, queue_.back().seq);
  queue_.push_back(ReadIndexRequest{request, commit_index, seq, tick});
  return seq;
}

uint64_t ReadOnly::StartRound(uint64_t tick) {
  CHECK(option_ == ReadOnlyOption::kLeaseBased);
  const uint64_t seq = next_seq_++;
  rounds_.push_back(Round{seq, tick});
  return seq;
}

void ReadOnly::PruneRounds(uint64_t tick) {
  while (!rounds_.empty() && rounds_.front().tick < tick) rounds_.pop_front();
}

bool ReadOnly::Confirmed(uint64_t seq, const JointConfig& voters) const {
  std::map<NodeId, bool> confirmed;
  for (const auto& [id, acked] : acked_) confirmed[id] = acked >= seq;
  return voters.Vote(confirmed) == VoteResult::kWon;
}

void ReadOnly::Renew(uint64_t tick) {
  confirmed_tick_ = std::max(confirmed_tick_.value_or(0), tick);
}

void ReadOnly::RecvAck(NodeId from, uint64_t seq) {
  uint64_t& acked = acked_[from];
  acked = std::max(acked, seq);
}

std::vector<ReadIndexRequest> ReadOnly::Advance(const JointConfig& voters) {
  std::vector<ReadIndexRequest> released;
  // Release from the newest confirmed request backwards is equivalent; go
  // forward and stop at the first request without a quorum of acks.
  while (!queue_.empty() && Confirmed(queue_.front().seq, voters)) {
    Renew(queue_.front().tick);
    released.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  while (!rounds_.empty() && Confirmed(rounds_.front().seq, voters)) {
    Renew(rounds_.front().tick);
    rounds_.pop_front();
  }
  return released;
}

std::optional<uint64_t> ReadOnly::LastPendingSeq() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.back().seq;
}

void ReadOnly::Reset() {
  queue_.clear();
  acked_.clear();
  rounds_.clear();
  confirmed_tick_.reset();  // a lease never outlives the term that earned it
  // next_seq_ keeps counting: a sequence is never reused, even across terms.
}

std::string ReadOnly::EncodeSeq(uint64_t seq) { return EncodeFixed64(seq); }

std::optional<uint64_t> ReadOnly::DecodeSeq(const std::string& context) {
  return DecodeFixed64(context);
}

}  // namespace raftlab::raft
