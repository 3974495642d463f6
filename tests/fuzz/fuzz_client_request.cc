// Client requests of any bytes, as the live runner hands them to its member:
// a serverpb.ClientRequest (what every KV, lease, cluster and maintenance
// call becomes, and what a follower forwards to its leader) or a watch
// creation, submitted to a one-member cluster's leader with the Ready
// contract run (host::Member). Each request is refused or served, never a
// crash, and each ends in exactly one response (core/server/server.h).
//
// Input: records (fuzz_member.h's RecordReader). Kind bit 0: the body is a
// WatchCreateRequest (else a ClientRequest); bit 1: one tick first. The
// target numbers the requests itself, as MemberLoop::Call does.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "core/base/check.h"
#include "tests/fuzz/fuzz_member.h"

namespace {

using namespace raftlab;

// etcd's --max-request-bytes, checked by the runner's gRPC layer before the
// member sees a request (runner/api).
constexpr size_t kMaxRequestBytes = 1536 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  raft::ConfState initial;
  initial.voters = {1};
  server::ServerConfig config;
  config.refuse_bad_entries = true;  // as the live runner runs it
  fuzz::FuzzMember member(1, initial, config);
  for (int i = 0; i < 100 && member.server().raw_node().raft().state() != raft::StateRole::kLeader;
       ++i) {
    member.Tick();
    member.Drain();
  }
  CHECK(member.server().raw_node().raft().state() == raft::StateRole::kLeader);

  std::map<uint64_t, int> responses;  // by request id: how many came back
  uint64_t next_id = 0;
  auto collect = [&] {
    for (const serverpb::ClientResponse& r : member.server().TakeResponses()) {
      auto it = responses.find(r.id());
      CHECK_MSG(it != responses.end(), "a response to a request never submitted");
      ++it->second;
    }
    member.server().DrainWatches();
  };
  fuzz::RecordReader in(data, size);
  uint8_t kind = 0;
  std::string_view body;
  for (int n = 0; n < 32 && in.Next(&kind, &body); ++n) {
    if (kind & 2) member.Tick();
    if (kind & 1) {
      etcdserverpb::WatchCreateRequest req;
      if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) continue;
      member.server().Watch(req);
    } else {
      serverpb::ClientRequest req;
      if (!req.ParseFromArray(body.data(), static_cast<int>(body.size()))) continue;
      if (req.ByteSizeLong() > kMaxRequestBytes) continue;
      req.set_id(++next_id);
      responses[req.id()] = 0;
      member.server().Submit(req, member.now_ms());
    }
    member.Drain();
    collect();
  }
  // Past every request's deadline, each has had its one answer.
  const int64_t until = member.now_ms() + 2 * 5000;
  while (member.now_ms() < until) {
    member.Tick();
    member.Drain();
    collect();
  }
  for (const auto& [id, count] : responses) {
    CHECK_MSG(count == 1, "request " + std::to_string(id) + " had " + std::to_string(count) +
                              " responses");
  }
  return 0;
}
