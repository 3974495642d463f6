// A LeaseBinder with a fixed set of leases, for store tests without a lessor.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/mvcc/lease_binder.h"

namespace raftlab::mvcc::testing {

class FakeLeases : public LeaseBinder {
 public:
  explicit FakeLeases(std::set<int64_t> ids) : ids_(std::move(ids)) {}
  bool LeaseExists(int64_t id) const override { return ids_.contains(id); }
  void Attach(int64_t id, std::string_view key) override { keys_[id].insert(std::string(key)); }
  void Detach(int64_t id, std::string_view key) override { keys_[id].erase(std::string(key)); }
  const std::set<std::string>& KeysOf(int64_t id) { return keys_[id]; }

 private:
  std::set<int64_t> ids_;
  std::map<int64_t, std::set<std::string>> keys_;
};

}  // namespace raftlab::mvcc::testing
