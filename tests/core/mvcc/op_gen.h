// Random etcd requests for property tests, built from a "tape" of random
// bytes so RapidCheck can generate and shrink them as plain vectors. Keys
// come from a small alphabet so ops collide often.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rpc.pb.h"

namespace raftlab::mvcc::testing {

class Tape {
 public:
  explicit Tape(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  // A value in [0, n). An exhausted tape reads zeros, so shrinking toward
  // shorter tapes yields simpler ops.
  int Next(int n) {
    if (n <= 1) return 0;
    const int v = pos_ < bytes_.size() ? bytes_[pos_] : 0;
    ++pos_;
    return v % n;
  }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
};

struct Op {
  enum Kind { kRange, kPut, kDelete, kTxn, kCompact };
  Kind kind = kRange;
  etcdserverpb::RangeRequest range;
  etcdserverpb::PutRequest put;
  etcdserverpb::DeleteRangeRequest del;
  etcdserverpb::TxnRequest txn;
  etcdserverpb::CompactionRequest compact;

  std::string Describe() const;
};

// An op for a store at revision r with compact revision c. Leases 1 and 2
// exist in the tests; 3 does not.
Op BuildOp(Tape* tape, int64_t r, int64_t c);

}  // namespace raftlab::mvcc::testing
