#include "core/raft/describe.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/raft/codec.h"
#include "core/raft/confchange.h"

namespace raftlab::raft {
namespace {

std::string Ids(const std::vector<NodeId>& ids) { return fmt::format("[{}]", fmt::join(ids, " ")); }

const char* EntryTypeName(EntryType t) {
  switch (t) {
    case EntryType::kNormal: return "EntryNormal";
    case EntryType::kConfChange: return "EntryConfChange";
    case EntryType::kConfChangeV2: return "EntryConfChangeV2";
  }
  return "EntryUnknown";
}

}  // namespace

std::string DescribeEntry(const Entry& e) {
  std::string out = fmt::format("{}/{} {}", e.term, e.index, EntryTypeName(e.type));
  if (e.type == EntryType::kNormal) {
    if (e.data.empty()) return out;
    const bool printable = std::all_of(e.data.begin(), e.data.end(), [](char c) {
      return c >= 0x20 && c < 0x7f;
    });
    // Binary payloads (the KV server's requests) are summarized, not dumped.
    out += printable ? fmt::format(" \"{}\"", e.data) : fmt::format(" <{} bytes>", e.data.size());
    return out;
  }
  Result<ConfChangeV2> cc = DecodeConfChange(e);
  if (!cc) return out + " <undecodable>";
  const std::string changes = DescribeChanges(cc->changes);
  if (!changes.empty()) out += " " + changes;
  if (cc->transition == ConfChangeTransition::kJointImplicit) out += " (implicit)";
  if (cc->transition == ConfChangeTransition::kJointExplicit) out += " (explicit)";
  return out;
}

std::string DescribeEntries(const std::vector<Entry>& entries, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? sep : "") + DescribeEntry(entries[i]);
  return out;
}

std::string DescribeMessage(const Message& m) {
  std::string out = fmt::format("{}->{} {} Term:{} Log:{}/{}", m.from, m.to,
                                MessageTypeName(m.type), m.term, m.log_term, m.index);
  if (m.reject) out += fmt::format(" Rejected (Hint: {})", m.reject_hint);
  if (m.commit != 0) out += fmt::format(" Commit:{}", m.commit);
  if (!m.entries.empty()) out += " Entries:[" + DescribeEntries(m.entries, ", ") + "]";
  if (m.snapshot) out += " Snapshot: " + DescribeSnapshot(*m.snapshot);
  if (!m.context.empty()) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      out += " Context:" + m.context;
    } else if (auto seq = ReadOnly::DecodeSeq(m.context)) {
      out += fmt::format(" ReadSeq:{}", *seq);
    }
  }
  return out;
}

std::string DescribeHardState(const HardState& hs) {
  return fmt::format("Term:{} Vote:{} Commit:{}", hs.term, hs.vote, hs.commit);
}

std::string DescribeSoftState(const SoftState& ss) {
  return fmt::format("Lead:{} State:{}", ss.lead, StateRoleName(ss.role));
}

std::string DescribeConfState(const ConfState& cs) {
  std::string out = "Voters:" + Ids(cs.voters);
  if (!cs.voters_outgoing.empty()) out += " VotersOutgoing:" + Ids(cs.voters_outgoing);
  out += " Learners:" + Ids(cs.learners);
  if (!cs.learners_next.empty()) out += " LearnersNext:" + Ids(cs.learners_next);
  if (cs.auto_leave) out += " AutoLeave:true";
  return out;
}

std::string DescribeSnapshot(const Snapshot& s) {
  return fmt::format("Index:{} Term:{} ConfState:{}", s.metadata.index, s.metadata.term,
                     DescribeConfState(s.metadata.conf_state));
}

std::string DescribeReady(const Ready& rd) {
  std::string out;
  if (rd.soft_state) out += DescribeSoftState(*rd.soft_state) + "\n";
  if (!rd.hard_state.IsEmpty()) out += "HardState " + DescribeHardState(rd.hard_state) + "\n";
  if (!rd.read_states.empty()) {
    out += "ReadStates:\n";
    for (const ReadState& rs : rd.read_states) {
      out += fmt::format("  Index:{} RequestCtx:\"{}\"\n", rs.index, rs.request_ctx);
    }
  }
  if (!rd.entries.empty()) out += "Entries:\n" + DescribeEntries(rd.entries, "\n") + "\n";
  if (!rd.snapshot.IsEmpty()) out += "Snapshot " + DescribeSnapshot(rd.snapshot) + "\n";
  if (!rd.committed_entries.empty()) {
    out += "CommittedEntries:\n" + DescribeEntries(rd.committed_entries, "\n") + "\n";
  }
  if (!rd.messages.empty()) {
    out += "Messages:\n";
    for (const Message& m : rd.messages) out += DescribeMessage(m) + "\n";
  }
  if (rd.must_sync) out += "MustSync\n";
  if (out.empty()) return "<empty Ready>";
  out.pop_back();
  return out;
}

}  // namespace raftlab::raft
