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
  // Trust the leader lease: serve reads without a round trip while a
  // quorum confirmed this leader less than a lease ago. Requires
  // check-quorum (followers refuse votes for an election timeout after
  // hearing the leader) and clock rates within max_clock_drift_ppm.
  kLeaseBased,
};

struct ReadIndexRequest {
  Message request;  // the MsgReadIndex (context in entries[0].data)
  uint64_t index = 0;  // commit index when the request arrived
  uint64_t seq = 0;
  uint64_t tick = 0;  // the leader's tick count when the round started
};

class ReadOnly {
 public:
  explicit ReadOnly(ReadOnlyOption option) : option_(option) {}

  ReadOnlyOption option() const { return option_; }
  // Registers a request at the leader's tick `tick`; returns its sequence
  // number (the heartbeat context).
  uint64_t AddRequest(uint64_t commit_index, const Message& request, uint64_t tick);
  // Lease-based mode: starts a round with no request (a periodic
  // heartbeat); a quorum of acks renews the lease from `tick`.
  uint64_t StartRound(uint64_t tick);
  // The start tick of the newest round a quorum confirmed this term: no
  // voter that acked it grants a vote for an election timeout after it.
  std::optional<uint64_t> confirmed_tick() const { return confirmed_tick_; }
  // Forgets rounds started before `tick`: too old to give a usable lease.
  void PruneRounds(uint64_t tick);
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
  struct Round {
    uint64_t seq;
    uint64_t tick;
  };
  bool Confirmed(uint64_t seq, const JointConfig& voters) const;
  void Renew(uint64_t tick);

  std::deque<ReadIndexRequest> queue_;  // ascending seq
  std::deque<Round> rounds_;            // ascending seq; lease-based mode only
  std::optional<uint64_t> confirmed_tick_;
  std::map<NodeId, uint64_t> acked_;    // highest sequence acknowledged by each node
  uint64_t next_seq_ = 1;
};

}  // namespace raftlab::raft
