// The LEASE and DURABILITY checkers (sim_checks.h).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "checker/sim_checks.h"

namespace raftlab::checker {
namespace {

struct LeaseFacts {
  std::vector<std::pair<uint64_t, int64_t>> renewals;  // (invoke_ns, ttl seconds), acknowledged
  std::vector<uint64_t> revokes;                       // invoke_ns of client revokes
  std::vector<std::pair<std::string, int64_t>> keys;   // (key, put revision), acknowledged
};

// The first DELETE of `key` above `after`, or null.
const std::pair<const int64_t, CommittedRevision>* FirstDelete(const CommittedHistory& history,
                                                               const std::string& key,
                                                               int64_t after) {
  for (auto it = history.revisions.upper_bound(after); it != history.revisions.end(); ++it) {
    for (const KvChange& c : it->second.changes) {
      if (c.key == key) return c.is_delete ? &*it : nullptr;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> CheckLeases(const CommittedHistory& history,
                                     const std::vector<AuxOp>& lease_ops,
                                     const LeaseCheckOptions& options) {
  std::map<int64_t, LeaseFacts> leases;
  for (const AuxOp& op : lease_ops) {
    if (op.lease == 0) continue;
    LeaseFacts& facts = leases[op.lease];
    const bool ok = op.status == "ok";
    if ((op.f == "grant" || op.f == "keepalive") && ok && op.ttl_seconds > 0) {
      facts.renewals.emplace_back(op.invoke_ns, op.ttl_seconds);
    } else if (op.f == "revoke" && op.status != "fail") {
      facts.revokes.push_back(op.invoke_ns);
    } else if (op.f == "put" && ok && op.revision) {
      facts.keys.emplace_back(op.key, *op.revision);
    }
  }
  std::vector<std::string> out;
  for (const auto& [lease, facts] : leases) {
    for (const auto& [key, put_revision] : facts.keys) {
      const auto* deleted = FirstDelete(history, key, put_revision);
      if (deleted == nullptr) continue;
      const uint64_t at = deleted->second.first_applied_ns;
      const bool asked = std::any_of(facts.revokes.begin(), facts.revokes.end(),
                                     [&](uint64_t t) { return t <= at; });
      if (asked) continue;
      for (const auto& [invoke_ns, ttl_s] : facts.renewals) {
        if (invoke_ns > at) continue;
        // The TTL as the fastest member clock may measure it in real time.
        const uint64_t ttl_ns = static_cast<uint64_t>(ttl_s) * 1'000'000'000ULL;
        const uint64_t scaled = static_cast<uint64_t>(
            static_cast<unsigned __int128>(ttl_ns) * 1'000'000 /
            static_cast<uint64_t>(1'000'000 + options.clock_fast_ppm_max));
        if (at >= invoke_ns + scaled) continue;
        out.push_back(fmt::format(
            "lease: key {} of lease {} deleted at revision {} ({} ms) only {} ms after a "
            "renewal invoked at {} ms with TTL {} s",
            key, lease, deleted->first, at / 1'000'000, (at - invoke_ns) / 1'000'000,
            invoke_ns / 1'000'000, ttl_s));
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> CheckDurability(const CommittedHistory& history,
                                         const std::vector<AckedWrite>& writes) {
  std::vector<std::string> out;
  for (const AckedWrite& w : writes) {
    const std::string what = w.is_delete ? "DELETE" : fmt::format("PUT \"{}\"", w.value);
    if (w.revision > history.final_revision) {
      out.push_back(fmt::format(
          "durability: {} {} {} acknowledged at revision {} above the final revision {}",
          w.origin, what, w.key, w.revision, history.final_revision));
      continue;
    }
    auto it = history.revisions.find(w.revision);
    const KvChange* found = nullptr;
    if (it != history.revisions.end()) {
      for (const KvChange& c : it->second.changes) {
        if (c.key == w.key) found = &c;
      }
    }
    if (found == nullptr) {
      out.push_back(fmt::format("durability: {} {} {} acknowledged at revision {} is not in the "
                                "committed history",
                                w.origin, what, w.key, w.revision));
    } else if (found->is_delete != w.is_delete || (!w.is_delete && found->value != w.value)) {
      out.push_back(fmt::format("durability: {} {} {} acknowledged at revision {}, which holds "
                                "{} instead",
                                w.origin, what, w.key, w.revision,
                                found->is_delete ? "DELETE" : "\"" + found->value + "\""));
    }
  }
  return out;
}

}  // namespace raftlab::checker
