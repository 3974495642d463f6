// Inbound: everything one peer connection delivers, checked before the
// core sees it. Peer input is untrusted (a hostile or broken member, a port
// scanner, a member of another cluster), and the core CHECKs its own
// invariants, so the runner refuses at this boundary what the core must
// never be handed (core/raft/raft.h says which messages those are):
//
// - message types a peer may send (never local ones such as MsgHup);
// - `from` is the connection's peer, `to` is this member;
// - terms, indexes and commit indexes below 2^62, so no arithmetic on them
//   overflows;
// - entries: at most max_entries per message, each at most max_entry_bytes,
//   of known types; a MsgApp's entries contiguous after `index`, none of a
//   term above the message's;
// - a MsgSnap's state assembled from its chunks (at most
//   max_snapshot_bytes), with metadata that names members and a state the
//   server can restore (Server::ValidateSnapshot);
// - forwarded client requests and responses that parse.
//
// Pure: frames in, deliveries or an error out. An error ends the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/result.h"
#include "core/raft/types.h"
#include "runner/peer/frame.h"
#include "server.pb.h"

namespace raftlab::runner::peer {

struct InboundLimits {
  uint64_t max_snapshot_bytes = uint64_t{1} << 30;
  size_t max_entries = 65536;
  uint64_t max_entry_bytes = 4ull << 20;  // above etcd's 1.5 MiB request limit
};

// What a frame delivers (at most one member set).
struct Delivery {
  std::optional<raft::Message> message;
  std::optional<serverpb::ClientRequest> forward_request;
  std::optional<serverpb::ClientResponse> forward_response;
};

// The static checks above for one decoded message.
Status ValidatePeerMessage(const raft::Message& m, uint64_t self, uint64_t peer,
                           const InboundLimits& limits);

class Inbound {
 public:
  Inbound(uint64_t self, uint64_t peer, InboundLimits limits)
      : self_(self), peer_(peer), limits_(limits) {}

  // A snapshot chunk delivers nothing (it is held until its MsgSnap).
  Result<Delivery> Take(Frame frame);

 private:
  uint64_t self_;
  uint64_t peer_;
  InboundLimits limits_;
  std::string snapshot_data_;  // chunks received ahead of their MsgSnap
};

}  // namespace raftlab::runner::peer
