// A deliberately naive reference model of the etcd v3 store, written from
// SEMANTICS.md alone (it shares no code with core/mvcc): the whole key-value
// map is copied at every revision, compaction only moves C, and every read
// scans the full map. Requests and responses are the etcdserverpb messages,
// so a test compares the store and the model field by field.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/mvcc/status.h"
#include "rpc.pb.h"

namespace raftlab::mvcc::testing {

struct ModelKv {
  std::string value;
  int64_t create = 0;
  int64_t mod = 0;
  int64_t version = 0;
  int64_t lease = 0;
};
using ModelState = std::map<std::string, ModelKv>;

template <class T>
struct ModelOutcome {
  KvStatus status = KvStatus::kOk;
  T response;
};

class Model {
 public:
  explicit Model(std::set<int64_t> leases) : leases_(std::move(leases)) {
    states_.resize(2);  // revision 0 unused; revision 1 is the empty store (S1.1)
  }

  int64_t revision() const { return static_cast<int64_t>(states_.size()) - 1; }
  int64_t compact_revision() const { return compact_; }
  const ModelState& StateAt(int64_t rev) const { return states_.at(static_cast<size_t>(rev)); }

  ModelOutcome<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& req) const;
  ModelOutcome<etcdserverpb::PutResponse> Put(const etcdserverpb::PutRequest& req);
  ModelOutcome<etcdserverpb::DeleteRangeResponse> DeleteRange(
      const etcdserverpb::DeleteRangeRequest& req);
  ModelOutcome<etcdserverpb::TxnResponse> Txn(const etcdserverpb::TxnRequest& req);
  ModelOutcome<etcdserverpb::CompactionResponse> Compact(
      const etcdserverpb::CompactionRequest& req);

  static bool InRange(const std::string& key, const std::string& start, const std::string& end);

 private:
  KvStatus CheckPath(const etcdserverpb::TxnRequest& t, const ModelState& pre) const;
  void RunPut(const etcdserverpb::PutRequest& p, ModelState* work,
              etcdserverpb::PutResponse* resp) const;
  etcdserverpb::TxnResponse Run(const etcdserverpb::TxnRequest& t, const ModelState& pre,
                                ModelState* work, bool* wrote) const;

  std::set<int64_t> leases_;
  std::vector<ModelState> states_;
  int64_t compact_ = -1;
};

}  // namespace raftlab::mvcc::testing
