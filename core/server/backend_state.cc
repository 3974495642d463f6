// The server's state in a backend (issue 23): MVCC writes through to the
// key bucket (core/mvcc/backend_store.cc); the rest of ServerState goes to
// the meta bucket, with the consistent index and its term, when the host
// commits a batch.
#include <fmt/format.h>

#include "core/base/check.h"
#include "core/base/fixed64.h"
#include "core/server/server.h"

namespace raftlab::server {
namespace {

using backend::Bucket;

constexpr std::string_view kConsistentIndex = "consistent_index";
constexpr std::string_view kTerm = "term";
// ServerState without its mvcc field (the key bucket holds that).
constexpr std::string_view kState = "server_state";

constexpr Bucket kAllBuckets[] = {Bucket::kKey, Bucket::kMeta, Bucket::kLease, Bucket::kMembers};

}  // namespace

std::optional<uint64_t> Server::BackendConsistentIndex(const backend::Backend& b) {
  std::optional<std::string> ci = b.Get(Bucket::kMeta, kConsistentIndex);
  if (!ci) return std::nullopt;
  return DecodeFixed64(*ci);
}

void Server::WriteBackendMeta() {
  backend::Backend* b = config_.backend;
  CHECK(b != nullptr);
  b->Put(Bucket::kMeta, kConsistentIndex, EncodeFixed64(consistent_index_));
  b->Put(Bucket::kMeta, kTerm, EncodeFixed64(applied_term_));
  b->Put(Bucket::kMeta, kState, StateWithoutMvcc().SerializeAsString());
}

Status Server::CheckBackend(backend::Backend* b, const storage::Recovered& recovered, BugSet bugs) {
  const auto damaged = [](const std::string& what) {
    return MakeError(ErrorCode::kCorruption, "backend: " + what);
  };
  if (!b->Get(Bucket::kMeta, kConsistentIndex)) return OkStatus();  // empty: filled at start
  std::optional<uint64_t> ci = BackendConsistentIndex(*b);
  if (!ci) return damaged("the consistent index is not 8 bytes");
  serverpb::ServerState st;
  std::optional<std::string> state = b->Get(Bucket::kMeta, kState);
  if (!state || !st.ParseFromString(*state) || st.consistent_index() != *ci) {
    return damaged("the server state is missing, does not parse, or is of another index");
  }
  if (!lease::Lessor::Decode(st.lessor(), 1)) return damaged("the leases do not decode");
  const uint64_t snapshot_index = recovered.snapshot ? recovered.snapshot->metadata.index : 0;
  const uint64_t last = recovered.entries.empty() ? snapshot_index : recovered.entries.back().index;
  // A backend behind the snapshot is refilled from it; one ahead of what the
  // WAL holds as committed has data the log never had.
  if (*ci > snapshot_index && (*ci > last || *ci > recovered.hard_state.commit)) {
    return damaged(fmt::format("consistent index {} is beyond the recovered log (last index {}, "
                               "commit {})", *ci, last, recovered.hard_state.commit));
  }
  Result<mvcc::KvStore> kv = mvcc::KvStore::Load(b, bugs);
  if (!kv) return tl::unexpected(kv.error());
  return OkStatus();
}

void Server::UseBackend() {
  backend::Backend* b = config_.backend;
  std::optional<uint64_t> ci = BackendConsistentIndex(*b);
  if (!ci || *ci < consistent_index_) {
    // Empty, or behind the snapshot (a snapshot installed from the leader
    // whose backend rewrite never committed): fill it from the snapshot.
    RewriteBackend();
    return;
  }
  serverpb::ServerState st;
  CHECK(st.ParseFromString(*b->Get(Bucket::kMeta, kState)));  // CheckBackend passed
  Result<mvcc::KvStore> kv = mvcc::KvStore::Load(b, config_.bugs);
  CHECK_MSG(kv.has_value(), kv ? "" : kv.error().message);
  RestoreFrom(st, std::move(*kv));
  applied_term_ = DecodeFixed64(b->Get(Bucket::kMeta, kTerm).value_or("")).value_or(applied_term_);
}

void Server::RewriteBackend() {
  backend::Backend* b = config_.backend;
  for (Bucket bucket : kAllBuckets) b->DeleteAll(bucket);
  kv_->set_backend(b);  // writes every record
  WriteBackendMeta();
}

}  // namespace raftlab::server
