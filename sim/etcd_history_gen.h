// Etcd histories that are linearizable by construction, for checker tests
// and benchmarks.
//
// Contract: EtcdClients runs a sequential etcd store (SEMANTICS.md S9.2:
// puts, successful txns and deletes of present keys bump one global
// revision; every response carries the revision after it) under concurrent
// clients. Each step picks a client (or a lost request, below) with the
// given Choices: an idle client invokes a random get, put, txn
// (compare-and-swap against an earlier value of the key, or absence) or
// delete; a pending one either takes effect atomically (its linearization
// point), times out (status info, no response: it may still take effect
// later, once, or never, and the client continues under a fresh id), or,
// optionally, fails before taking effect (status fail). Every response is
// the store's, taken at a point inside the request's interval, so the
// history is linearizable by construction. The same Choices give the same
// history (no clocks, no other randomness). InjectStaleRead then turns one
// read into a stale one, which makes the history not linearizable, also by
// construction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "core/base/prng.h"

namespace raftlab::sim {

// The decisions a generator takes, in order.
class Choices {
 public:
  virtual ~Choices() = default;
  // A value in [0, n). REQUIRES: n > 0.
  virtual uint32_t Draw(uint32_t n) = 0;
  // Whether the decisions ran out (the generator then stops).
  virtual bool Exhausted() const { return false; }
};

// Decisions read from a fixed stream (property tests shrink the stream);
// 0 once it is exhausted.
class StreamChoices : public Choices {
 public:
  explicit StreamChoices(const std::vector<uint32_t>& stream) : stream_(stream) {}
  uint32_t Draw(uint32_t n) override { return next_ < stream_.size() ? stream_[next_++] % n : 0; }
  bool Exhausted() const override { return next_ >= stream_.size(); }

 private:
  const std::vector<uint32_t>& stream_;
  size_t next_ = 0;
};

// Decisions drawn from a seeded Prng: never exhausted.
class PrngChoices : public Choices {
 public:
  explicit PrngChoices(uint64_t seed) : prng_(seed) {}
  uint32_t Draw(uint32_t n) override { return static_cast<uint32_t>(prng_.Index(n)); }

 private:
  Prng prng_;
};

// A sequential etcd store.
class SequentialEtcd {
 public:
  // Runs op now: fills the response (the value read, whether a txn's
  // compare held, a delete's count) and the header revision.
  void Apply(checker::Operation* op);
  int64_t revision() const { return revision_; }
  // The key a revision's write changed and that key's value before it.
  // REQUIRES: 2 <= revision <= revision().
  const std::pair<std::string, checker::Value>& Before(int64_t revision) const {
    return before_[static_cast<size_t>(revision - 2)];
  }

 private:
  std::map<std::string, checker::Value> values_;  // absent keys are not stored
  int64_t revision_ = 1;                          // a fresh store is at revision 1
  std::vector<std::pair<std::string, checker::Value>> before_;
};

struct EtcdClientsOptions {
  uint32_t clients = 1;
  uint32_t keys = 1;  // named k0, k1, ...
  // Written values "v0", "v1", ... (as etcd's robustness tests and our
  // simulator write them); otherwise small integers that repeat.
  bool unique_values = true;
  uint32_t timeout_one_in = 8;  // chance 1/N at each of a request's two steps
  uint32_t fail_one_in = 0;     // chance 1/N that a pending request fails (0: never)
  // A txn compares against one of the key's last N written values or
  // absence (0: any value the key ever held).
  uint32_t txn_compare_recent = 0;
  uint64_t tick_ns = 1;  // the time one step takes
};

class EtcdClients {
 public:
  EtcdClients(Choices& choices, const EtcdClientsOptions& options);
  // Steps until the choices run out or `max_ops` operations have completed;
  // requests still pending then time out.
  checker::History Run(size_t max_ops = SIZE_MAX);
  // Makes one ok get, the first from history index `from` on that follows an
  // acknowledged write W of its key, return what a lagging member would: the
  // key's value and the revision just before W. W returned before the get
  // was invoked, so every linearization places W first, after which the
  // revision never again equals W's minus one: not linearizable. Returns the
  // index of the get, or nullopt when none qualifies.
  // REQUIRES: `history` is what Run returned (ids unchanged).
  std::optional<size_t> InjectStaleRead(checker::History* history, size_t from) const;

 private:
  struct Pending {
    checker::Operation op;
    bool applied = false;
  };
  checker::Operation NewOp(uint32_t client);
  void Finish(uint32_t client, checker::OpStatus status);
  void StepOrphan();

  Choices& choices_;
  const EtcdClientsOptions options_;
  SequentialEtcd store_;
  std::map<std::string, std::vector<checker::Value>> written_;  // per key, for txn compares
  uint64_t now_ = 0;
  int64_t next_value_ = 0;
  int64_t fresh_client_;
  std::vector<std::optional<Pending>> pending_;
  std::vector<int64_t> client_ids_;
  std::vector<checker::Operation> orphans_;  // timed out, not applied yet
  checker::History history_;
};

// The history as raftlab JSON lines (docs/formats.md), one op per line in
// history order, op_id = id.
std::string ToJsonLines(const checker::History& history);

}  // namespace raftlab::sim
