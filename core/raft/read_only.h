// ReadOnly: pending ReadIndex requests at the leader and the heartbeat
// acknowledgements that confirm its leadership.
//
// Each request gets a fresh, increasing sequence number that rides on the
// heartbeats sent for it. A follower's ack of sequence s proves it still
// followed this leader after every request with sequence <= s was
// registered, so one quorum of acks releases all of them. Keying acks by a
// counter the leader owns (not by the client's context) means a retried or
// duplicated request can never be "confirmed" by acks from an earlier round
// (etcd-io/etcd#20418).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/raft/quorum.h"
#include "core/raft/types.h"

namespace raftlab::raft {

enum class ReadOnlyOption : uint8_t {
  // Confirm leadership with a round of heartbeats for every read (ReadIndex).
  kSafe,
  // Trust the leader lease: serve reads without a round trip. Unsafe when
  // clocks drift or processes pause; requires check-quorum.
  kLeaseBased,
};

struct ReadIndexRequest {
  Message request;  // the MsgReadIndex (context in entries[0].data)
  uint64_t index = 0;  // commit index when the request arrived
  uint64_t seq = 0;
};

class ReadOnly {
 public:
  explicit ReadOnly(ReadOnlyOption option) : option_(option) {}

  ReadOnlyOption option() const { return option_; }
  // Registers a request; returns its sequence number (the heartbeat context).
  uint64_t AddRequest(uint64_t commit_index, const Message& request);
  // Records that `from` acknowledged sequence `seq`.
  void RecvAck(NodeId from, uint64_t seq);
  // Releases every request confirmed by a quorum of `voters`, oldest first.
  std::vector<ReadIndexRequest> Advance(const JointConfig& voters);
  // Sequence of the newest pending request, if any (sent on every heartbeat).
  std::optional<uint64_t> LastPendingSeq() const;
  size_t PendingCount() const { return queue_.size(); }
  void Reset();

  static std::string EncodeSeq(uint64_t seq);
  static std::optional<uint64_t> DecodeSeq(const std::string& context);

 private:
  ReadOnlyOption option_;
  std::deque<ReadIndexRequest> queue_;  // ascending seq
  std::map<NodeId, uint64_t> acked_;    // highest sequence acknowledged by each node
  uint64_t next_seq_ = 1;
};

}  // namespace raftlab::raft
