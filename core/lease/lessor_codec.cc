// Lessor::Encode / Decode: the replicated lease state in a checksummed
// envelope (magic "RLLS"; see core/mvcc/envelope.h).
#include "core/base/check.h"
#include "core/lease/lessor.h"
#include "core/mvcc/envelope.h"
#include "store_state.pb.h"

namespace raftlab::lease {
namespace {
constexpr std::string_view kMagic = "RLLS";
}  // namespace

std::string Lessor::Encode() const {
  statepb::LeaseState state;
  state.set_next_id(next_id_);
  for (const auto& [id, lease] : leases_) {
    statepb::LeaseRecord* out = state.add_leases();
    out->set_id(id);
    out->set_ttl_seconds(lease.ttl_seconds);
    out->set_remaining_ttl_seconds(lease.remaining_seconds);
    for (const std::string& key : lease.keys) out->add_keys(key);
  }
  std::string payload;
  CHECK(state.SerializeToString(&payload));
  CHECK_EQ(state.leases_size(), static_cast<int>(leases_.size()));
  return mvcc::SealEnvelope(kMagic, payload);
}

Result<Lessor> Lessor::Decode(std::string_view bytes, int64_t min_ttl_seconds) {
  Result<std::string_view> payload = mvcc::OpenEnvelope(kMagic, bytes);
  if (!payload) return tl::unexpected(payload.error());
  statepb::LeaseState state;
  if (!state.ParseFromArray(payload->data(), static_cast<int>(payload->size()))) {
    return MakeError(ErrorCode::kCorruption, "lease snapshot: payload does not parse");
  }
  if (state.next_id() <= 0) return MakeError(ErrorCode::kCorruption, "lease snapshot: next_id");
  Lessor lessor(min_ttl_seconds);
  lessor.next_id_ = state.next_id();
  for (const statepb::LeaseRecord& in : state.leases()) {
    if (in.id() == 0 || in.ttl_seconds() <= 0 || in.ttl_seconds() > kMaxLeaseTtlSeconds ||
        in.remaining_ttl_seconds() < 0) {
      return MakeError(ErrorCode::kCorruption, "lease snapshot: bad lease " +
                                                   std::to_string(in.id()));
    }
    Lease lease;
    lease.ttl_seconds = in.ttl_seconds();
    lease.remaining_seconds = in.remaining_ttl_seconds();
    for (const std::string& key : in.keys()) lease.keys.insert(key);
    if (!lessor.leases_.emplace(in.id(), std::move(lease)).second) {
      return MakeError(ErrorCode::kCorruption, "lease snapshot: duplicate lease id");
    }
  }
  return lessor;
}

}  // namespace raftlab::lease
