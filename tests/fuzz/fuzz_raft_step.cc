// A Raft member stepping arbitrary peer messages, through the runner's
// boundary: bytes are decoded as raftpb.Message (core/raft/codec.h), checked
// by the live runner's ValidatePeerMessage (runner/peer/inbound.h), and only
// then stepped into member 1 of the cluster {1, 2, 3} with the whole Ready
// contract run after each (host::Member: WAL, apply, snapshots). Together
// they must never crash: whatever the core may CHECK on, the boundary
// refuses first (the rule in core/raft/raft.h).
//
// Input: the first byte puts member 1 in a role first (% 4: follower,
// pre-candidate, candidate, leader; ticks and real vote responses get it
// there); then records (fuzz_member.h's RecordReader), each one message:
// kind bit 0 picks the connection's peer (2 or 3), bit 1 ticks first, and
// the body is the message's bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/raft/codec.h"
#include "runner/peer/inbound.h"
#include "tests/fuzz/fuzz_member.h"

namespace {

using namespace raftlab;

raft::Message VoteResponse(raft::MessageType type, uint64_t term) {
  raft::Message m;
  m.type = type;
  m.from = 2;
  m.to = 1;
  m.term = term;
  return m;
}

// Ticks until member 1 campaigns (a pre-vote), then grants what `role`
// needs from member 2.
void Reach(fuzz::FuzzMember& member, raft::StateRole role) {
  if (role == raft::StateRole::kFollower) return;
  for (int i = 0; i < 100 && member.server().raw_node().raft().state() ==
                                 raft::StateRole::kFollower; ++i) {
    member.Tick();
    member.Drain();
  }
  CHECK(member.server().raw_node().raft().state() == raft::StateRole::kPreCandidate);
  if (role == raft::StateRole::kPreCandidate) return;
  const uint64_t term = member.server().raw_node().raft().term();
  member.server().Step(VoteResponse(raft::MessageType::kPreVoteResp, term + 1));
  member.Drain();
  CHECK(member.server().raw_node().raft().state() == raft::StateRole::kCandidate);
  if (role == raft::StateRole::kCandidate) return;
  member.server().Step(VoteResponse(raft::MessageType::kVoteResp, term + 1));
  member.Drain();
  CHECK(member.server().raw_node().raft().state() == raft::StateRole::kLeader);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  raft::ConfState initial;
  initial.voters = {1, 2, 3};
  server::ServerConfig config;
  config.refuse_bad_entries = true;  // as the live runner runs it
  fuzz::FuzzMember member(1, initial, config);
  static constexpr raft::StateRole kRoles[] = {
      raft::StateRole::kFollower, raft::StateRole::kPreCandidate, raft::StateRole::kCandidate,
      raft::StateRole::kLeader};
  Reach(member, kRoles[data[0] % 4]);

  const runner::peer::InboundLimits limits;
  fuzz::RecordReader in(data + 1, size - 1);
  uint8_t kind = 0;
  std::string_view body;
  for (int n = 0; n < 64 && in.Next(&kind, &body); ++n) {
    if (kind & 2) member.Tick();
    Result<raft::Message> m = raft::DecodeMessage(std::string(body));
    if (!m) continue;
    const uint64_t peer = (kind & 1) ? 3 : 2;
    // The two layers of core/raft/raft.h's peer-input rule, as the runner
    // applies them (runner/peer/inbound.cc, runner/member_loop.cc).
    if (!runner::peer::ValidatePeerMessage(*m, 1, peer, limits)) continue;
    if (!member.server().CheckPeerMessage(*m)) continue;
    member.server().Step(*m);
    member.Drain();
  }
  return 0;
}
