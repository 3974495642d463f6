// The server's apply of arbitrary committed entries: InternalRequest bytes
// (and configuration changes) that passed the WAL's checksum, or that a
// broken leader replicated. Each is refused or applied, identically on two
// fresh members, one in memory and one on a backend (the same state, byte
// for byte), and again the same after a restart recovers them; never a
// crash.
//
// Input: records (fuzz_member.h's RecordReader), each one entry: kind % 3
// picks a normal entry, a ConfChange or a ConfChangeV2; the body is its data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/check.h"
#include "tests/fuzz/fuzz_member.h"

namespace {

using namespace raftlab;

std::vector<raft::Entry> Entries(const uint8_t* data, size_t size) {
  std::vector<raft::Entry> out;
  fuzz::RecordReader in(data, size);
  uint8_t kind = 0;
  std::string_view body;
  while (out.size() < 64 && in.Next(&kind, &body)) {
    raft::Entry e;
    e.type = kind % 3 == 0   ? raft::EntryType::kNormal
             : kind % 3 == 1 ? raft::EntryType::kConfChange
                             : raft::EntryType::kConfChangeV2;
    e.data = std::string(body);
    out.push_back(std::move(e));
  }
  return out;
}

struct Outcome {
  std::string state;  // the server's whole replicated state (snapshot bytes)
  uint64_t applied = 0;
  uint32_t kv_hash = 0;
};

Outcome Apply(const std::vector<raft::Entry>& entries, bool backend) {
  raft::ConfState initial;
  initial.voters = {1};
  server::ServerConfig config;
  config.refuse_bad_entries = true;  // as the live runner runs it
  fuzz::FuzzMember member(1, initial, config, /*seed=*/1, backend);
  member.CommitThroughWal(entries);
  member.Drain();
  Outcome out{member.server().EncodeState(), member.server().consistent_index(),
              member.server().KvHash()};
  // A restart recovers from the files the apply left (a snapshot it may
  // have taken, the WAL after it) and must arrive at the same state.
  member.Restart();
  member.Drain();
  CHECK_MSG(member.server().EncodeState() == out.state,
            "a restart replayed the committed entries into a different state");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<raft::Entry> entries = Entries(data, size);
  // One member keeps its state in memory, the other in a backend (core/
  // backend, as live members do), whose restart loads it from there and
  // replays only the WAL after its consistent index.
  Outcome a = Apply(entries, /*backend=*/false);
  Outcome b = Apply(entries, /*backend=*/true);
  CHECK_MSG(a.state == b.state, "two fresh members applied the same entries differently");
  CHECK_EQ(a.applied, b.applied);
  CHECK_EQ(a.kv_hash, b.kv_hash);
  // Every committed entry was consumed (applied or refused), none skipped.
  CHECK_GE(a.applied, 1 + entries.size());
  return 0;
}
