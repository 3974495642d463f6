// Properties: histories produced by running a sequential model under random
// concurrency and timeouts are linearizable; the same histories with one read
// returning a value never written are not; partitioned and whole-history
// searches agree. 1000 cases each with a fixed seed (printed on failure).
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "checker/linearizability.h"
#include "checker/revision_fast_path.h"
#include "sim/etcd_history_gen.h"

namespace raftlab::checker {
namespace {

constexpr uint64_t kSeed = 20261122;
constexpr int kCases = 1000;

// Reads the next decision from the stream (0 once it is exhausted).
struct Choices {
  const std::vector<uint32_t>& stream;
  size_t next = 0;
  uint32_t Draw(uint32_t n) { return next < stream.size() ? stream[next++] % n : 0; }
};

struct Pending {
  Operation op;
  bool applied = false;
};

// A random operation (function, key, arguments); client and time are set by the caller.
Operation NewOp(Choices* choices, ModelKind kind, bool faults, bool puts, uint32_t keys,
                int* appends) {
  Operation op;
  op.key = "k" + std::to_string(choices->Draw(keys));
  const uint32_t f = choices->Draw(kind == ModelKind::kEtcd && faults ? 4 : 3);
  if (f == 0) {
    op.f = OpFunction::kRead;
  } else if (f == 3) {
    op.f = OpFunction::kDelete;
  } else if (kind == ModelKind::kKv) {
    op.f = f == 1 && puts ? OpFunction::kWrite : OpFunction::kAppend;
    op.input = {Value::String("x" + std::to_string((*appends)++) + ".")};
  } else {
    op.f = f == 1 ? OpFunction::kWrite : OpFunction::kCas;
    const int64_t a = choices->Draw(3);
    op.input = {Value::Int(a)};
    if (f == 2) op.input.push_back(Value::Int(choices->Draw(3)));
  }
  return op;
}

// Applies a register / kv op to the sequential store; false when a cas
// compare failed (the op then certainly had no effect).
bool ApplySequential(Operation* op, std::map<std::string, Value>* truth, ModelKind kind) {
  const bool kv = kind == ModelKind::kKv;
  auto found = truth->find(op->key);
  const Value current = found != truth->end() ? found->second
                                               : (kv ? Value::String("") : Value::Nil());
  if (op->f == OpFunction::kRead) {
    op->output = {current};
  } else if (op->f == OpFunction::kWrite) {
    (*truth)[op->key] = op->input[0];
  } else if (op->f == OpFunction::kAppend) {
    (*truth)[op->key] = Value::String(current.text + op->input[0].text);
  } else if (current == op->input[0]) {
    (*truth)[op->key] = op->input[1];
  } else {
    return false;
  }
  return true;
}

// Runs a real sequential register / kv / etcd under random interleavings: each op
// takes effect atomically at a point between its invocation and return, so
// the history is linearizable by construction. Some ops time out (status
// info) before or after taking effect; a timed-out client continues under a
// fresh id, as in Jepsen.
History Simulate(const std::vector<uint32_t>& stream, ModelKind kind, bool faults = true,
                 bool puts = true) {
  Choices choices{stream};
  const uint32_t clients = 1 + choices.Draw(5);
  const uint32_t keys = 1 + choices.Draw(3);
  std::map<std::string, Value> truth;  // absent keys read as nil (register) or "" (kv)
  sim::SequentialEtcd etcd;            // etcd: its own store, with revisions
  std::vector<std::optional<Pending>> pending(clients);
  std::vector<int64_t> client_ids(clients);
  for (uint32_t c = 0; c < clients; ++c) client_ids[c] = c;
  History history;
  uint64_t now = 0;
  int appends = 0;
  auto finish = [&](uint32_t c, OpStatus status) {
    Operation op = pending[c]->op;
    op.status = status;
    op.return_ns = status == OpStatus::kInfo ? kInfinity : now;
    if (status == OpStatus::kInfo) op.revision = -1;  // no response, no header
    if (status == OpStatus::kInfo) op.deleted = -1;
    op.id = history.ops.size();
    history.ops.push_back(std::move(op));
    pending[c].reset();
    if (status == OpStatus::kInfo) client_ids[c] += clients;
  };
  while (choices.next < stream.size()) {
    ++now;
    const uint32_t c = choices.Draw(clients);
    if (!pending[c].has_value()) {
      Operation op = NewOp(&choices, kind, faults, puts, keys, &appends);
      op.client = client_ids[c];
      op.invoke_ns = now;
      pending[c] = Pending{std::move(op), false};
      continue;
    }
    Pending& p = *pending[c];
    if (p.applied) {
      const bool timeout = choices.Draw(8) == 0 && faults;
      finish(c, timeout ? OpStatus::kInfo : OpStatus::kOk);
      continue;
    }
    if (choices.Draw(8) == 0 && faults) {  // times out before taking effect: never applied
      finish(c, OpStatus::kInfo);
      continue;
    }
    // The linearization point.
    if (kind == ModelKind::kEtcd) {
      etcd.Apply(&p.op);
      p.applied = true;
      continue;
    }
    p.applied = true;
    if (!ApplySequential(&p.op, &truth, kind)) {
      finish(c, OpStatus::kFail);  // compare failed: certainly no effect
    }
  }
  for (uint32_t c = 0; c < clients; ++c) {
    if (!pending[c].has_value()) continue;
    if (!faults && pending[c]->applied) {
      finish(c, OpStatus::kOk);
    } else if (faults) {
      finish(c, OpStatus::kInfo);
    }
  }
  history.source = "generated";
  return history;
}

// Makes the ok read selected by `pick` return a value no operation writes
// (adding a read at the end when there is none).
void MutateRead(History* history, ModelKind kind, uint32_t pick) {
  std::vector<size_t> reads;
  for (const Operation& op : history->ops) {
    if (op.f == OpFunction::kRead && op.status == OpStatus::kOk) reads.push_back(op.id);
  }
  if (reads.empty()) {
    Operation read;
    read.id = history->ops.size();
    read.client = 1000;
    read.f = OpFunction::kRead;
    read.key = "k0";
    read.invoke_ns = 1'000'000;
    read.return_ns = 1'000'001;
    read.revision = 1;  // only the etcd model looks at it
    reads.push_back(read.id);
    history->ops.push_back(std::move(read));
  }
  Operation& read = history->ops[reads[pick % reads.size()]];
  // Generated writes use 0..2 or strings of "x<n>." pieces, which never spell "Z".
  read.output = {kind == ModelKind::kKv ? Value::String("Z") : Value::Int(1000)};
}

// kv mutations that provably break linearizability on an append-only key
// (no put on it, so its value only grows and every "x<n>." token is unique):
//   0 stale read: a read after another read sees a strict prefix of it;
//   1 lost write: a read that began after an append returned misses its token;
//   2 duplicated write: a read sees some token twice.
// Returns false when the history offers no place for the mutation.
bool MutateKv(History* history, uint32_t kind_of_mutation, uint32_t pick) {
  std::map<std::string, bool> has_put;
  for (const Operation& op : history->ops) {
    if (op.f == OpFunction::kWrite) has_put[op.key] = true;
  }
  std::vector<std::pair<size_t, size_t>> pairs;  // (earlier op, later ok read), real-time ordered
  for (const Operation& later : history->ops) {
    if (later.f != OpFunction::kRead || later.status != OpStatus::kOk) continue;
    if (has_put[later.key]) continue;
    for (const Operation& earlier : history->ops) {
      if (earlier.key != later.key || earlier.status != OpStatus::kOk) continue;
      if (earlier.return_ns >= later.invoke_ns) continue;
      const bool read = earlier.f == OpFunction::kRead && !earlier.output[0].text.empty();
      const bool append = earlier.f == OpFunction::kAppend;
      if ((kind_of_mutation == 0 && read) || (kind_of_mutation == 1 && append)) {
        pairs.emplace_back(earlier.id, later.id);
      }
    }
    if (kind_of_mutation == 2 && !later.output[0].text.empty()) {
      pairs.emplace_back(later.id, later.id);
    }
  }
  if (pairs.empty()) return false;
  const auto [earlier, later] = pairs[pick % pairs.size()];
  std::string& seen = history->ops[later].output[0].text;
  if (kind_of_mutation == 0) {  // drop the last token of what the earlier read saw
    std::string older = history->ops[earlier].output[0].text;
    older.pop_back();
    seen = older.substr(0, older.rfind('.') == std::string::npos ? 0 : older.rfind('.') + 1);
  } else if (kind_of_mutation == 1) {
    const std::string& token = history->ops[earlier].input[0].text;
    const size_t at = seen.find(token);
    RC_ASSERT(at != std::string::npos);  // the simulator is a real store
    seen.erase(at, token.size());
  } else {
    const size_t end = seen.find('.');
    seen.insert(0, seen.substr(0, end + 1));
  }
  return true;
}

// Makes one ok read report a header revision the store never reaches.
void MutateRevision(History* history, uint32_t pick) {
  std::vector<size_t> reads;
  for (const Operation& op : history->ops) {
    if (op.f == OpFunction::kRead && op.status == OpStatus::kOk) reads.push_back(op.id);
  }
  if (reads.empty()) {
    MutateRead(history, ModelKind::kEtcd, pick);
    return;
  }
  history->ops[reads[pick % reads.size()]].revision = 1'000'000'000;
}

void RunProperty(const std::string& name, const std::function<void()>& property) {
  rc::detail::TestParams params;
  params.seed = kSeed;
  params.maxSuccess = kCases;
  params.maxSize = 60;
  const rc::detail::TestResult result =
      rc::detail::checkTestable(property, rc::detail::TestMetadata{}, params);
  rc::detail::FailureResult failure;
  if (result.match(failure)) {
    std::ostringstream counterexample;
    for (const auto& [type, value] : failure.counterExample) counterexample << value << "\n";
    ADD_FAILURE() << name << " failed (seed " << kSeed << "): " << failure.description << "\n"
                  << counterexample.str();
    return;
  }
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>()) << name << ": gave up";
}

std::vector<uint32_t> GenStream() {
  const size_t length = *rc::gen::inRange<size_t>(0, 240);
  return *rc::gen::container<std::vector<uint32_t>>(length,
                                                     rc::gen::inRange<uint32_t>(0, 1 << 20));
}

TEST(CheckerProperty, SimulatedHistoriesAreLinearizable) {
  for (ModelKind kind : {ModelKind::kCasRegister, ModelKind::kKv}) {
    RunProperty(ModelKindName(kind), [kind] {
      const History history = Prepare(Simulate(GenStream(), kind));
      RC_ASSERT(CheckVerdict(history, kind, true) == Verdict::kLinearizable);
    });
  }
}

TEST(CheckerProperty, ReadOfNeverWrittenValueIsNotLinearizable) {
  for (ModelKind kind : {ModelKind::kCasRegister, ModelKind::kKv}) {
    RunProperty(ModelKindName(kind), [kind] {
      History history = Simulate(GenStream(), kind);
      const uint32_t pick = *rc::gen::inRange<uint32_t>(0, 1000);
      MutateRead(&history, kind, pick);
      RC_ASSERT(CheckVerdict(Prepare(history), kind, true) == Verdict::kNotLinearizable);
    });
  }
}

TEST(CheckerProperty, StaleLostAndDuplicatedKvWritesAreNotLinearizable) {
  int applied[3] = {0, 0, 0};
  RunProperty("kv mutations", [&applied] {
    History history = Simulate(GenStream(), ModelKind::kKv, /*faults=*/true, /*puts=*/false);
    const uint32_t mutation = *rc::gen::arbitrary<uint32_t>() % 3;
    if (!MutateKv(&history, mutation, *rc::gen::arbitrary<uint32_t>())) return;
    ++applied[mutation];
    RC_ASSERT(CheckVerdict(Prepare(history), ModelKind::kKv, true) ==
              Verdict::kNotLinearizable);
  });
  for (int count : applied) EXPECT_GE(count, kCases / 50);  // each kind was exercised
}

TEST(CheckerProperty, EtcdHistoriesWithRevisions) {
  RunProperty("etcd linearizable", [] {
    const History history = Prepare(Simulate(GenStream(), ModelKind::kEtcd));
    RC_ASSERT(CheckVerdict(history, ModelKind::kEtcd, false) == Verdict::kLinearizable);
  });
  RunProperty("etcd revision never reached", [] {
    History history = Simulate(GenStream(), ModelKind::kEtcd);
    MutateRevision(&history, *rc::gen::inRange<uint32_t>(0, 1000));
    RC_ASSERT(CheckVerdict(Prepare(history), ModelKind::kEtcd, false) ==
              Verdict::kNotLinearizable);
  });
}

// Swaps the revisions of two ok ops (often, but not always, a violation).
void SwapRevisions(History* history, uint32_t a, uint32_t b) {
  if (history->ops.empty()) return;
  Operation& x = history->ops[a % history->ops.size()];
  Operation& y = history->ops[b % history->ops.size()];
  std::swap(x.revision, y.revision);
}

TEST(CheckerProperty, RevisionFastPathAgreesWithWgl) {
  int verdicts[2] = {0, 0};  // how often each side was exercised
  RunProperty("fast path", [&verdicts] {
    History history = Simulate(GenStream(), ModelKind::kEtcd, /*faults=*/false);
    const uint32_t mutation = *rc::gen::inRange<uint32_t>(0, 4);
    const uint32_t a = *rc::gen::arbitrary<uint32_t>();
    const uint32_t b = *rc::gen::arbitrary<uint32_t>();
    if (mutation == 1) MutateRevision(&history, a);
    if (mutation == 2) MutateRead(&history, ModelKind::kEtcd, a);
    if (mutation == 3) SwapRevisions(&history, a, b);
    const History prepared = Prepare(history);
    const std::optional<Verdict> fast = CheckByRevisions(prepared);
    RC_ASSERT(fast.has_value());  // no faults: no info ops, no deletes
    RC_ASSERT(*fast == CheckVerdict(prepared, ModelKind::kEtcd, false));
    ++verdicts[*fast == Verdict::kLinearizable ? 0 : 1];
  });
  EXPECT_GT(verdicts[0], kCases / 10);
  EXPECT_GT(verdicts[1], kCases / 10);
}

// The kv lookahead only prunes branches that cannot succeed: with it on or
// off, whole or per key, the verdict is the plain search's. Histories are
// often corrupted (stale, lost and duplicated appends, reads of values
// never written), so both verdicts are exercised.
TEST(CheckerProperty, KvLookaheadAgreesWithPlainSearch) {
  int verdicts[2] = {0, 0};
  RunProperty("kv lookahead", [&verdicts] {
    History history = Simulate(GenStream(), ModelKind::kKv, /*faults=*/true,
                               /*puts=*/*rc::gen::arbitrary<bool>());
    const uint32_t mutation = *rc::gen::inRange<uint32_t>(0, 5);
    const uint32_t pick = *rc::gen::arbitrary<uint32_t>();
    if (mutation < 3) MutateKv(&history, mutation, pick);
    if (mutation == 3) MutateRead(&history, ModelKind::kKv, pick);
    const History prepared = Prepare(history);
    const bool partition = *rc::gen::arbitrary<bool>();
    CheckOptions options;
    options.model = ModelKind::kKv;
    options.partition = partition;
    options.lookahead = false;
    auto plain = CheckHistory(prepared, prepared.source, options);
    options.lookahead = true;
    auto pruned = CheckHistory(prepared, prepared.source, options);
    RC_ASSERT(plain.has_value() && pruned.has_value());
    RC_ASSERT(pruned->verdict == plain->verdict);
    ++verdicts[plain->verdict == Verdict::kLinearizable ? 0 : 1];
  });
  EXPECT_GT(verdicts[0], kCases / 10);
  EXPECT_GT(verdicts[1], kCases / 10);
}

TEST(CheckerProperty, PartitionedAndWholeSearchAgree) {
  for (ModelKind kind : {ModelKind::kCasRegister, ModelKind::kKv}) {
    RunProperty(ModelKindName(kind), [kind] {
      History history = Simulate(GenStream(), kind);
      if (*rc::gen::arbitrary<bool>()) MutateRead(&history, kind, *rc::gen::arbitrary<uint32_t>());
      const History prepared = Prepare(history);
      RC_ASSERT(CheckVerdict(prepared, kind, true) == CheckVerdict(prepared, kind, false));
    });
  }
}

}  // namespace
}  // namespace raftlab::checker
