// Human-readable one-line descriptions of Raft values, for traces, logs and
// the interaction scripts. Stable: golden files depend on the exact text.
#pragma once

#include <string>
#include <vector>

#include "core/raft/raw_node.h"
#include "core/raft/types.h"

namespace raftlab::raft {

// "1/3 EntryNormal \"data\"", "2/4 EntryConfChangeV2 v2 l3".
std::string DescribeEntry(const Entry& e);
std::string DescribeEntries(const std::vector<Entry>& entries, const std::string& sep);
// "1->2 MsgApp Term:1 Log:1/3 Commit:3 Entries:[1/4 EntryNormal \"x\"]".
std::string DescribeMessage(const Message& m);
std::string DescribeHardState(const HardState& hs);
std::string DescribeSoftState(const SoftState& ss);
std::string DescribeConfState(const ConfState& cs);
std::string DescribeSnapshot(const Snapshot& s);
// Multi-line description of a Ready, one section per non-empty field.
std::string DescribeReady(const Ready& rd);

}  // namespace raftlab::raft
