// LeaseBinder: the store's view of the lessor (core/lease implements it).
//
// The store asks whether a lease exists before a put names it (S4.4) and
// tells the lessor which keys each lease holds, so a revoke can delete them.
#pragma once

#include <cstdint>
#include <string_view>

namespace raftlab::mvcc {

class LeaseBinder {
 public:
  virtual ~LeaseBinder() = default;
  virtual bool LeaseExists(int64_t lease_id) const = 0;
  // REQUIRES: LeaseExists(lease_id).
  virtual void Attach(int64_t lease_id, std::string_view key) = 0;
  // A no-op if the lease is gone (it may have been revoked).
  virtual void Detach(int64_t lease_id, std::string_view key) = 0;
};

}  // namespace raftlab::mvcc
