#include "core/raft/codec.h"

#include "core/base/check.h"

namespace raftlab::raft {
namespace {

tl::unexpected<Error> Corrupt(const std::string& what) {
  return MakeError(ErrorCode::kCorruption, what);
}

bool ValidConfChangeType(int t) { return t >= 0 && t <= 3; }

}  // namespace

std::string EncodeConfChange(const ConfChange& cc) {
  raftpb::ConfChange p;
  p.set_type(static_cast<raftpb::ConfChangeType>(cc.type));
  p.set_node_id(cc.node_id);
  p.set_context(cc.context);
  p.set_id(cc.id);
  return p.SerializeAsString();
}

std::string EncodeConfChangeV2(const ConfChangeV2& cc) {
  raftpb::ConfChangeV2 p;
  p.set_transition(static_cast<raftpb::ConfChangeTransition>(cc.transition));
  for (const ConfChangeSingle& c : cc.changes) {
    raftpb::ConfChangeSingle* s = p.add_changes();
    s->set_type(static_cast<raftpb::ConfChangeType>(c.type));
    s->set_node_id(c.node_id);
  }
  p.set_context(cc.context);
  return p.SerializeAsString();
}

Result<ConfChange> DecodeConfChangeV1(const std::string& data) {
  raftpb::ConfChange p;
  if (!p.ParseFromString(data)) return Corrupt("conf change payload is not a ConfChange");
  if (!ValidConfChangeType(p.type())) return Corrupt("conf change has an unknown type");
  ConfChange cc;
  cc.type = static_cast<ConfChangeType>(p.type());
  cc.node_id = p.node_id();
  cc.context = p.context();
  cc.id = p.id();
  return cc;
}

Result<ConfChangeV2> DecodeConfChange(const Entry& entry) {
  if (entry.type == EntryType::kConfChange) {
    Result<ConfChange> v1 = DecodeConfChangeV1(entry.data);
    if (!v1) return tl::unexpected(v1.error());
    return v1->AsV2();
  }
  CHECK(entry.type == EntryType::kConfChangeV2);
  raftpb::ConfChangeV2 p;
  if (!p.ParseFromString(entry.data)) return Corrupt("conf change payload is not a ConfChangeV2");
  if (p.transition() < 0 || p.transition() > 2) return Corrupt("unknown conf change transition");
  ConfChangeV2 cc;
  cc.transition = static_cast<ConfChangeTransition>(p.transition());
  for (const raftpb::ConfChangeSingle& s : p.changes()) {
    if (!ValidConfChangeType(s.type())) return Corrupt("conf change has an unknown type");
    cc.changes.push_back(ConfChangeSingle{static_cast<ConfChangeType>(s.type()), s.node_id()});
  }
  cc.context = p.context();
  return cc;
}

raftpb::Entry ToProto(const Entry& e) {
  raftpb::Entry p;
  p.set_type(static_cast<raftpb::EntryType>(e.type));
  p.set_term(e.term);
  p.set_index(e.index);
  p.set_data(e.data);
  return p;
}

raftpb::ConfState ToProto(const ConfState& cs) {
  raftpb::ConfState p;
  for (NodeId id : cs.voters) p.add_voters(id);
  for (NodeId id : cs.learners) p.add_learners(id);
  for (NodeId id : cs.voters_outgoing) p.add_voters_outgoing(id);
  for (NodeId id : cs.learners_next) p.add_learners_next(id);
  p.set_auto_leave(cs.auto_leave);
  return p;
}

raftpb::Snapshot ToProto(const Snapshot& s) {
  raftpb::Snapshot p;
  p.set_data(s.data);
  *p.mutable_metadata()->mutable_conf_state() = ToProto(s.metadata.conf_state);
  p.mutable_metadata()->set_index(s.metadata.index);
  p.mutable_metadata()->set_term(s.metadata.term);
  return p;
}

raftpb::HardState ToProto(const HardState& hs) {
  raftpb::HardState p;
  p.set_term(hs.term);
  p.set_vote(hs.vote);
  p.set_commit(hs.commit);
  return p;
}

raftpb::Message ToProto(const Message& m) {
  raftpb::Message p;
  p.set_type(static_cast<raftpb::MessageType>(m.type));
  p.set_to(m.to);
  p.set_from(m.from);
  p.set_term(m.term);
  p.set_log_term(m.log_term);
  p.set_index(m.index);
  for (const Entry& e : m.entries) *p.add_entries() = ToProto(e);
  p.set_commit(m.commit);
  if (m.snapshot) *p.mutable_snapshot() = ToProto(*m.snapshot);
  p.set_reject(m.reject);
  p.set_reject_hint(m.reject_hint);
  p.set_context(m.context);
  return p;
}

Result<Entry> FromProto(const raftpb::Entry& p) {
  if (p.type() < 0 || p.type() > 2) return Corrupt("entry has an unknown type");
  return Entry{p.term(), p.index(), static_cast<EntryType>(p.type()), p.data()};
}

ConfState FromProto(const raftpb::ConfState& p) {
  ConfState cs;
  cs.voters.assign(p.voters().begin(), p.voters().end());
  cs.learners.assign(p.learners().begin(), p.learners().end());
  cs.voters_outgoing.assign(p.voters_outgoing().begin(), p.voters_outgoing().end());
  cs.learners_next.assign(p.learners_next().begin(), p.learners_next().end());
  cs.auto_leave = p.auto_leave();
  return cs;
}

Result<Snapshot> FromProto(const raftpb::Snapshot& p) {
  Snapshot s;
  s.data = p.data();
  s.metadata.conf_state = FromProto(p.metadata().conf_state());
  s.metadata.index = p.metadata().index();
  s.metadata.term = p.metadata().term();
  return s;
}

HardState FromProto(const raftpb::HardState& p) {
  return HardState{p.term(), p.vote(), p.commit()};
}

Result<Message> FromProto(const raftpb::Message& p) {
  if (p.type() < 0 || p.type() > raftpb::MSG_PRE_VOTE_RESP) {
    return Corrupt("message has an unknown type");
  }
  Message m;
  m.type = static_cast<MessageType>(p.type());
  m.to = p.to();
  m.from = p.from();
  m.term = p.term();
  m.log_term = p.log_term();
  m.index = p.index();
  for (const raftpb::Entry& e : p.entries()) {
    Result<Entry> entry = FromProto(e);
    if (!entry) return tl::unexpected(entry.error());
    m.entries.push_back(std::move(*entry));
  }
  m.commit = p.commit();
  if (p.has_snapshot()) {
    Result<Snapshot> s = FromProto(p.snapshot());
    if (!s) return tl::unexpected(s.error());
    m.snapshot = std::move(*s);
  }
  m.reject = p.reject();
  m.reject_hint = p.reject_hint();
  m.context = p.context();
  return m;
}

std::string EncodeMessage(const Message& m) { return ToProto(m).SerializeAsString(); }

Result<Message> DecodeMessage(const std::string& bytes) {
  raftpb::Message p;
  if (!p.ParseFromString(bytes)) return Corrupt("bytes are not a raft Message");
  return FromProto(p);
}

}  // namespace raftlab::raft
