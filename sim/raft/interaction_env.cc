#include "sim/raft/interaction_env.h"

#include <sstream>

#include <fmt/format.h>

#include "core/base/check.h"
#include "core/raft/describe.h"

namespace raftlab::sim {

using raft::NodeId;
using script::TestData;

namespace {

std::vector<uint64_t> Uints(const TestData& td, const std::string& key) {
  std::vector<uint64_t> out;
  const script::CmdArg* a = td.FindArg(key);
  if (a == nullptr) return out;
  for (const std::string& v : a->values) {
    char* end = nullptr;
    const uint64_t x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') {
      td.errors.push_back(td.Pos() + ": " + key + " expects numbers, got " + v);
      continue;
    }
    out.push_back(x);
  }
  return out;
}

bool ParseChange(const std::string& token, raft::ConfChangeSingle* cc) {
  if (token.size() < 2) return false;
  switch (token[0]) {
    case 'v': cc->type = raft::ConfChangeType::kAddNode; break;
    case 'l': cc->type = raft::ConfChangeType::kAddLearnerNode; break;
    case 'r': cc->type = raft::ConfChangeType::kRemoveNode; break;
    case 'u': cc->type = raft::ConfChangeType::kUpdateNode; break;
    default: return false;
  }
  cc->node_id = std::strtoull(token.c_str() + 1, nullptr, 10);
  return cc->node_id != 0;
}

// Indents every line by two spaces (stabilize nests Readies under headers).
std::string Indent(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "  " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

void InteractionEnv::BufferLogger::Log(raft::LogLevel level, const std::string& line) {
  buffer_ += std::string(raft::LogLevelName(level)) + " " + line + "\n";
}

InteractionEnv::InteractionEnv(uint64_t seed) : net_(seed, &logger_) {}

std::string InteractionEnv::Positional(const TestData& td, size_t k) const {
  size_t seen = 0;
  for (const script::CmdArg& a : td.args) {
    if (!a.values.empty()) continue;
    if (seen++ == k) return a.key;
  }
  td.errors.push_back(td.Pos() + ": " + td.cmd + " needs argument " + std::to_string(k + 1));
  return "";
}

NodeId InteractionEnv::FirstId(const TestData& td) const {
  const std::string s = Positional(td, 0);
  const NodeId id = std::strtoull(s.c_str(), nullptr, 10);
  if (!net_.Has(id)) td.errors.push_back(td.Pos() + ": no node " + s);
  return id;
}

std::vector<NodeId> InteractionEnv::Ids(const TestData& td) const {
  std::vector<NodeId> ids;
  for (const script::CmdArg& a : td.args) {
    if (!a.values.empty()) continue;
    const NodeId id = std::strtoull(a.key.c_str(), nullptr, 10);
    if (!net_.Has(id)) {
      td.errors.push_back(td.Pos() + ": no node " + a.key);
      continue;
    }
    ids.push_back(id);
  }
  if (ids.empty()) ids = net_.Ids();
  return ids;
}

std::string InteractionEnv::Handle(const TestData& td) {
  const std::string& c = td.cmd;
  std::string out;
  if (c == "add-nodes") {
    out = AddNodes(td);
  } else if (c == "campaign") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) net_.node(id).raw->Campaign();
  } else if (c == "propose") {
    const NodeId id = FirstId(td);
    const std::string data = Positional(td, 1);
    if (td.errors.empty()) {
      const raft::StepResult r = net_.node(id).raw->Propose(data);
      if (r != raft::StepResult::kOk) out += raft::StepResultName(r) + std::string("\n");
    }
  } else if (c == "propose-conf-change") {
    out = ProposeConfChange(td);
  } else if (c == "process-ready") {
    for (NodeId id : Ids(td)) {
      out += logger_.Take();
      std::string ready;
      if (!net_.ProcessReady(id, &ready)) ready = "<empty Ready>\n";
      out += ready + logger_.Take();  // Advance's own log lines follow the Ready
    }
  } else if (c == "deliver-msgs") {
    out = DeliverMsgs(td);
  } else if (c == "stabilize") {
    out = Stabilize(td);
  } else if (c == "tick-heartbeat") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) out = Tick(id, net_.node(id).options.heartbeat_tick);
  } else if (c == "tick-election") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) out = Tick(id, net_.node(id).options.election_tick);
  } else if (c == "tick") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) out = Tick(id, static_cast<int>(td.ArgUint("n", 1)));
  } else if (c == "transfer-leadership") {
    const NodeId from = td.ArgUint("from", 0);
    const NodeId to = td.ArgUint("to", 0);
    if (net_.Has(from) && net_.node(from).raw) {
      net_.node(from).raw->TransferLeader(to);
    } else {
      td.errors.push_back(td.Pos() + ": transfer-leadership needs from= a running node");
    }
  } else if (c == "read-index") {
    const NodeId id = FirstId(td);
    const std::string ctx = Positional(td, 1);
    if (td.errors.empty()) net_.node(id).raw->ReadIndex(ctx);
  } else if (c == "compact") {
    out = Compact(td);
  } else if (c == "crash") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) net_.Crash(id);
  } else if (c == "restart") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) net_.Restart(id);
  } else if (c == "report-unreachable") {
    const NodeId id = FirstId(td);
    const NodeId target = std::strtoull(Positional(td, 1).c_str(), nullptr, 10);
    if (td.errors.empty()) net_.node(id).raw->ReportUnreachable(target);
  } else if (c == "raft-log") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) out = RaftLogOf(id);
  } else if (c == "raft-state") {
    out = RaftState();
  } else if (c == "status") {
    const NodeId id = FirstId(td);
    if (td.errors.empty()) out = StatusOf(id);
  } else if (c == "log-level") {
    const std::string level = Positional(td, 0);
    static const std::map<std::string, raft::LogLevel> kLevels = {
        {"debug", raft::LogLevel::kDebug}, {"info", raft::LogLevel::kInfo},
        {"warn", raft::LogLevel::kWarn},   {"error", raft::LogLevel::kError},
        {"none", raft::LogLevel::kNone}};
    auto it = kLevels.find(level);
    if (it == kLevels.end()) {
      td.errors.push_back(td.Pos() + ": unknown log level " + level);
    } else {
      logger_.set_level(it->second);
    }
  } else {
    td.errors.push_back(td.Pos() + ": unknown command " + c);
  }
  std::string result = logger_.Take() + out;
  if (result.empty()) result = "ok";
  return result;
}

std::string InteractionEnv::AddNodes(const TestData& td) {
  const uint64_t count = std::strtoull(Positional(td, 0).c_str(), nullptr, 10);
  RaftNodeOptions opts;
  opts.pre_vote = td.ArgBool("prevote", false);
  opts.check_quorum = td.ArgBool("checkquorum", false);
  opts.max_inflight_msgs = td.ArgUint("max-inflight", opts.max_inflight_msgs);
  opts.max_inflight_bytes = td.ArgUint("max-inflight-bytes", opts.max_inflight_bytes);
  opts.max_size_per_msg = td.ArgUint("max-size-per-msg", opts.max_size_per_msg);
  opts.max_uncommitted_entries_size =
      td.ArgUint("max-uncommitted-size", opts.max_uncommitted_entries_size);
  opts.max_committed_size_per_ready =
      td.ArgUint("max-committed-size-per-ready", opts.max_committed_size_per_ready);
  opts.election_tick = static_cast<int>(td.ArgUint("election-tick", opts.election_tick));
  opts.heartbeat_tick = static_cast<int>(td.ArgUint("heartbeat-tick", opts.heartbeat_tick));
  opts.disable_proposal_forwarding = td.ArgBool("disable-forwarding", false);
  if (td.ArgString("read-only", "safe") == "lease-based") {
    opts.read_only = raft::ReadOnlyOption::kLeaseBased;
  }
  raft::Snapshot initial;
  initial.metadata.index = td.ArgUint("index", 0);
  initial.metadata.term = initial.metadata.index > 0 ? 1 : 0;
  for (uint64_t v : Uints(td, "voters")) initial.metadata.conf_state.voters.push_back(v);
  for (uint64_t l : Uints(td, "learners")) initial.metadata.conf_state.learners.push_back(l);
  if (initial.metadata.index == 0 && !initial.metadata.conf_state.voters.empty()) {
    td.errors.push_back(td.Pos() + ": voters= needs index= (the snapshot holding the config)");
    return "";
  }
  const NodeId first = net_.Ids().empty() ? 1 : net_.Ids().back() + 1;
  for (uint64_t k = 0; k < count; ++k) net_.AddNode(first + k, opts, initial);
  return "";
}

std::string InteractionEnv::ProposeConfChange(const TestData& td) {
  const NodeId id = FirstId(td);
  if (!td.errors.empty()) return "";
  raft::ConfChangeV2 cc;
  const std::string transition = td.ArgString("transition", "auto");
  if (transition == "implicit") cc.transition = raft::ConfChangeTransition::kJointImplicit;
  if (transition == "explicit") cc.transition = raft::ConfChangeTransition::kJointExplicit;
  std::istringstream in(td.input);
  std::string token;
  while (in >> token) {
    raft::ConfChangeSingle single;
    if (!ParseChange(token, &single)) {
      td.errors.push_back(td.Pos() + ": bad change " + token + " (expected v2, l3, r4 or u5)");
      return "";
    }
    cc.changes.push_back(single);
  }
  raft::StepResult r;
  if (td.ArgBool("v1", false)) {
    if (cc.changes.size() != 1) {
      td.errors.push_back(td.Pos() + ": v1 changes carry exactly one change");
      return "";
    }
    raft::ConfChange v1{cc.changes[0].type, cc.changes[0].node_id, "", 0};
    r = net_.node(id).raw->ProposeConfChange(v1);
  } else {
    r = net_.node(id).raw->ProposeConfChange(cc);
  }
  return r == raft::StepResult::kOk ? "" : raft::StepResultName(r) + std::string("\n");
}

std::string InteractionEnv::DeliverMsgs(const TestData& td) {
  std::string out;
  const std::vector<uint64_t> drop = Uints(td, "drop");
  const std::string type = td.ArgString("type", "");
  auto type_matches = [&type](const raft::Message& m) {
    return type.empty() || type == raft::MessageTypeName(m.type);
  };
  for (uint64_t to : drop) {
    net_.Drop([&](const raft::Message& m) { return m.to == to && type_matches(m); }, &out);
  }
  bool any_positional = false;
  for (const script::CmdArg& a : td.args) any_positional |= a.values.empty();
  if (!any_positional && !drop.empty()) return out;
  for (NodeId id : Ids(td)) {
    std::vector<raft::Message> msgs =
        net_.Take([&](const raft::Message& m) { return m.to == id && type_matches(m); });
    for (const raft::Message& m : msgs) {
      net_.Deliver(m, &out);
      out += logger_.Take();
    }
  }
  return out.empty() ? "no messages\n" : out;
}

std::string InteractionEnv::Stabilize(const TestData& td) {
  const std::vector<NodeId> ids = Ids(td);
  std::string out;
  for (int round = 0; round < 1000; ++round) {
    bool busy = false;
    for (NodeId id : ids) {
      const std::string before = logger_.Take();
      std::string ready;
      if (net_.ProcessReady(id, &ready)) {
        out += Indent(before) + fmt::format("> {} handling Ready\n", id) + Indent(ready) +
               Indent(logger_.Take());
        busy = true;
      } else {
        out += Indent(before);
      }
    }
    for (NodeId id : ids) {
      std::vector<raft::Message> msgs =
          net_.Take([id](const raft::Message& m) { return m.to == id; });
      if (msgs.empty()) continue;
      busy = true;
      out += fmt::format("> {} receiving messages\n", id);
      for (const raft::Message& m : msgs) {
        std::string line;
        net_.Deliver(m, &line);
        out += Indent(line) + Indent(logger_.Take());
      }
    }
    if (!busy) return out;
  }
  td.errors.push_back(td.Pos() + ": stabilize did not settle in 1000 rounds");
  return out;
}

std::string InteractionEnv::Tick(NodeId id, int ticks) {
  RaftNetwork::Node& n = net_.node(id);
  if (!n.raw) return fmt::format("node {} is down\n", id);
  for (int i = 0; i < ticks; ++i) n.raw->Tick();
  return "";
}

std::string InteractionEnv::Compact(const TestData& td) {
  const NodeId id = FirstId(td);
  const uint64_t index = std::strtoull(Positional(td, 1).c_str(), nullptr, 10);
  if (!td.errors.empty()) return "";
  RaftNetwork::Node& n = net_.node(id);
  if (index > n.applied_index) {
    td.errors.push_back(td.Pos() + ": cannot compact beyond applied index");
    return "";
  }
  auto snap = n.storage->CreateSnapshot(index, n.conf_state, "");
  if (!snap) return std::string(raft::StorageErrorName(snap.error())) + "\n";
  auto compacted = n.storage->Compact(index);
  if (!compacted) return std::string(raft::StorageErrorName(compacted.error())) + "\n";
  return RaftLogOf(id);
}

std::string InteractionEnv::RaftLogOf(NodeId id) {
  const raft::MemoryStorage& s = *net_.node(id).storage;
  const uint64_t first = s.FirstIndex();
  const uint64_t last = s.LastIndex();
  if (last < first) {
    return fmt::format("log is empty: first index={}, last index={}\n", first, last);
  }
  auto entries = s.Entries(first, last + 1, raft::kNoLimit);
  CHECK(entries.has_value());
  return raft::DescribeEntries(*entries, "\n") + "\n";
}

std::string InteractionEnv::RaftState() {
  std::string out;
  for (NodeId id : net_.Ids()) {
    const RaftNetwork::Node& n = net_.node(id);
    if (!n.raw) {
      out += fmt::format("{}: down\n", id);
      continue;
    }
    const raft::Raft& r = n.raw->raft();
    const bool voter = r.tracker().config.voters.Contains(id);
    out += fmt::format("{}: {} ({}) Term:{} Lead:{}\n", id, raft::StateRoleName(r.state()),
                       voter ? "Voter" : (r.is_learner() ? "Learner" : "Non-Voter"), r.term(),
                       r.lead());
  }
  return out;
}

std::string InteractionEnv::StatusOf(NodeId id) {
  const RaftNetwork::Node& n = net_.node(id);
  if (!n.raw) return fmt::format("node {} is down\n", id);
  const raft::Status st = n.raw->GetStatus();
  if (st.progress.empty()) {
    return fmt::format("{} is {} (status shows progress only on the leader)\n", id,
                       raft::StateRoleName(st.soft_state.role));
  }
  std::string out;
  for (const auto& [pid, pr] : st.progress) out += fmt::format("{}: {}\n", pid, pr.String());
  return out;
}

}  // namespace raftlab::sim
