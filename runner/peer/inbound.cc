#include "runner/peer/inbound.h"

#include <fmt/format.h>

#include "core/raft/codec.h"
#include "core/server/server.h"

namespace raftlab::runner::peer {
namespace {

constexpr uint64_t kBound = uint64_t{1} << 62;

tl::unexpected<Error> Refused(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, what);
}

// The message types a peer may send.
bool FromPeer(raft::MessageType t) {
  using T = raft::MessageType;
  switch (t) {
    case T::kProp:             // a follower forwards proposals
    case T::kApp:
    case T::kAppResp:
    case T::kVote:
    case T::kVoteResp:
    case T::kSnap:
    case T::kHeartbeat:
    case T::kHeartbeatResp:
    case T::kTransferLeader:   // forwarded to the leader
    case T::kTimeoutNow:
    case T::kReadIndex:        // forwarded to the leader
    case T::kReadIndexResp:
    case T::kPreVote:
    case T::kPreVoteResp:
      return true;
    default:
      return false;
  }
}

Status CheckConfState(const raft::ConfState& cs) {
  for (const auto* ids : {&cs.voters, &cs.learners, &cs.voters_outgoing, &cs.learners_next}) {
    for (raft::NodeId id : *ids) {
      if (id == raft::kNone || id >= (uint64_t{1} << 16)) {
        return Refused(fmt::format("snapshot configuration names member id {}", id));
      }
    }
  }
  if (cs.voters.empty()) return Refused("snapshot configuration has no voters");
  return OkStatus();
}

}  // namespace

Status ValidatePeerMessage(const raft::Message& m, uint64_t self, uint64_t peer,
                           const InboundLimits& limits) {
  const char* type = raft::MessageTypeName(m.type);
  if (!FromPeer(m.type)) return Refused(fmt::format("{} may not come from a peer", type));
  if (peer == self) return Refused(fmt::format("{} from this member itself", type));
  if (m.from != peer) {
    return Refused(fmt::format("{} claims to be from {} on the connection of {}", type, m.from,
                               peer));
  }
  if (m.to != self) return Refused(fmt::format("{} is addressed to {}, not {}", type, m.to, self));
  // Raft::Send: only forwarded proposals and read requests travel without
  // a term (Step takes a term-0 message for a local one); all others carry one.
  const bool termless = m.type == raft::MessageType::kProp || m.type == raft::MessageType::kReadIndex;
  if (termless != (m.term == 0)) {
    return Refused(fmt::format("{} with term {}", type, m.term));
  }
  if (m.term >= kBound || m.log_term >= kBound || m.index >= kBound || m.commit >= kBound ||
      m.reject_hint >= kBound) {
    return Refused(fmt::format("{} carries a term or index at or above 2^62", type));
  }
  if (m.entries.size() > limits.max_entries) {
    return Refused(fmt::format("{} carries {} entries (limit {})", type, m.entries.size(),
                               limits.max_entries));
  }
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const raft::Entry& e = m.entries[i];
    if (e.data.size() > limits.max_entry_bytes) {
      return Refused(fmt::format("{} entry of {} bytes (limit {})", type, e.data.size(),
                                 limits.max_entry_bytes));
    }
    if (e.term >= kBound || e.index >= kBound) {
      return Refused(fmt::format("{} entry with a term or index at or above 2^62", type));
    }
    if (m.type == raft::MessageType::kApp) {
      if (e.index != m.index + 1 + i) {
        return Refused(fmt::format("MsgApp entries are not contiguous after index {}", m.index));
      }
      if (e.term > m.term) return Refused("MsgApp entry of a term above the message's");
    }
    if (e.type != raft::EntryType::kNormal && !raft::DecodeConfChange(e).has_value()) {
      return Refused(fmt::format("{} carries a conf change that does not decode", type));
    }
  }
  if (m.type == raft::MessageType::kProp && m.entries.empty()) return Refused("MsgProp without entries");
  if (m.type == raft::MessageType::kSnap) {
    if (!m.snapshot || m.snapshot->IsEmpty()) return Refused("MsgSnap without a snapshot");
    if (m.snapshot->metadata.term >= kBound || m.snapshot->metadata.index >= kBound) {
      return Refused("MsgSnap with a term or index at or above 2^62");
    }
    RAFTLAB_RETURN_IF_ERROR(CheckConfState(m.snapshot->metadata.conf_state));
    RAFTLAB_RETURN_IF_ERROR(server::Server::ValidateSnapshot(*m.snapshot));
  } else if (m.snapshot) {
    return Refused(fmt::format("{} carries a snapshot", type));
  }
  return OkStatus();
}

Result<Delivery> Inbound::Take(Frame frame) {
  Delivery d;
  switch (frame.type) {
    case FrameType::kSnapshotChunk:
      if (snapshot_data_.size() + frame.payload.size() > limits_.max_snapshot_bytes) {
        return Refused(fmt::format("snapshot from {} exceeds {} bytes", peer_,
                                   limits_.max_snapshot_bytes));
      }
      snapshot_data_ += frame.payload;
      return d;
    case FrameType::kMessage: {
      Result<raft::Message> m = raft::DecodeMessage(frame.payload);
      if (!m) return Refused("message from " + std::to_string(peer_) + ": " + m.error().message);
      if (m->type == raft::MessageType::kSnap && m->snapshot) {
        if (!m->snapshot->data.empty()) return Refused("MsgSnap with its state inline");
        m->snapshot->data = std::exchange(snapshot_data_, {});
      } else if (!snapshot_data_.empty()) {
        return Refused("snapshot chunks not followed by their MsgSnap");
      }
      RAFTLAB_RETURN_IF_ERROR(ValidatePeerMessage(*m, self_, peer_, limits_));
      d.message = std::move(*m);
      return d;
    }
    case FrameType::kForwardRequest: {
      serverpb::ClientRequest req;
      if (!req.ParseFromString(frame.payload)) return Refused("forwarded request does not parse");
      d.forward_request = std::move(req);
      return d;
    }
    case FrameType::kForwardResponse: {
      serverpb::ClientResponse resp;
      if (!resp.ParseFromString(frame.payload)) return Refused("forwarded response does not parse");
      d.forward_response = std::move(resp);
      return d;
    }
  }
  return Refused("unknown frame type");
}

}  // namespace raftlab::runner::peer
