#include "core/raft/read_only.h"

#include <algorithm>

#include "core/base/check.h"
#include "core/base/fixed64.h"

namespace raftlab::raft {

uint64_t ReadOnly::AddRequest(uint64_t commit_index, const Message& request) {
  CHECK(request.type == MessageType::kReadIndex);
  const uint64_t seq = next_seq_++;
  if (!queue_.empty()) CHECK_GT(seq, queue_.back().seq);
  queue_.push_back(ReadIndexRequest{request, commit_index, seq});
  return seq;
}

void ReadOnly::RecvAck(NodeId from, uint64_t seq) {
  uint64_t& acked = acked_[from];
  acked = std::max(acked, seq);
}

std::vector<ReadIndexRequest> ReadOnly::Advance(const JointConfig& voters) {
  std::vector<ReadIndexRequest> released;
  // Release from the newest confirmed request backwards is equivalent; go
  // forward and stop at the first request without a quorum of acks.
  while (!queue_.empty()) {
    const uint64_t seq = queue_.front().seq;
    std::map<NodeId, bool> confirmed;
    for (const auto& [id, acked] : acked_) confirmed[id] = acked >= seq;
    if (voters.Vote(confirmed) != VoteResult::kWon) break;
    released.push_back(std::move(queue_.front()));
    queue_.pop_front();
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
  // next_seq_ keeps counting: a sequence is never reused, even across terms.
}

std::string ReadOnly::EncodeSeq(uint64_t seq) { return EncodeFixed64(seq); }

std::optional<uint64_t> ReadOnly::DecodeSeq(const std::string& context) {
  return DecodeFixed64(context);
}

}  // namespace raftlab::raft
