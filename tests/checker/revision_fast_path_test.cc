// The etcd revision fast path (checker/revision_fast_path.h) with deletes
// and indeterminate writes: hand-made cases whose verdicts follow from the
// etcd model (each says why), and a property that the fast path decides the
// same verdict as the WGL search on random small etcd histories, produced by
// a sequential store under random concurrency and timeouts (timed-out writes
// may take effect much later, or never) and then often corrupted. Every case
// also runs through WGL, so a wrong expectation here cannot hide a
// disagreement.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "checker/linearizability.h"
#include "checker/reader.h"
#include "checker/revision_fast_path.h"
#include "core/base/prng.h"
#include "sim/etcd_history_gen.h"
#include "tests/util/datadriven.h"

namespace raftlab::checker {
namespace {

// Hand-made ops on the etcd model; status info clears the response.
Operation Make(OpFunction f, const char* key, uint64_t invoke, uint64_t ret, int64_t revision,
               std::vector<Value> input = {}, std::vector<Value> output = {}) {
  Operation op;
  op.f = f;
  op.key = key;
  op.invoke_ns = invoke;
  op.return_ns = ret;
  op.revision = revision;
  op.input = std::move(input);
  op.output = std::move(output);
  return op;
}
Value V(const char* text) { return Value::String(text); }
Operation Put(const char* key, const char* value, uint64_t i, uint64_t r, int64_t revision) {
  return Make(OpFunction::kWrite, key, i, r, revision, {V(value)});
}
Operation Get(const char* key, std::optional<const char*> value, uint64_t i, uint64_t r,
              int64_t revision) {
  return Make(OpFunction::kRead, key, i, r, revision, {}, {value ? V(*value) : Value::Nil()});
}
Operation Txn(const char* key, std::optional<const char*> compare, const char* value, uint64_t i,
              uint64_t r, int64_t revision, bool succeeded) {
  Operation op = Make(OpFunction::kCas, key, i, r, revision,
                      {compare ? V(*compare) : Value::Nil(), V(value)});
  op.succeeded = succeeded;
  return op;
}
Operation Del(const char* key, uint64_t i, uint64_t r, int64_t revision, int64_t deleted) {
  Operation op = Make(OpFunction::kDelete, key, i, r, revision);
  op.deleted = deleted;
  return op;
}
// Timed out: no response, may take effect at any time after `invoke`, or never.
Operation Info(Operation op) {
  op.status = OpStatus::kInfo;
  op.return_ns = kInfinity;
  op.revision = -1;
  op.deleted = -1;
  return op;
}

History MakeHistory(std::vector<Operation> ops) {
  History history;
  history.source = "test";
  for (size_t i = 0; i < ops.size(); ++i) {
    ops[i].id = i;
    ops[i].client = static_cast<int64_t>(i);
    history.ops.push_back(ops[i]);
  }
  return Prepare(history);
}

std::string Dump(const History& history) {
  std::string text;
  for (const Operation& op : history.ops) {
    text += op.ToString();
    if (op.deleted >= 0) text += " deleted=" + std::to_string(op.deleted);
    text += "\n";
  }
  return text;
}

struct Case {
  const char* why;
  std::vector<Operation> ops;
  Verdict verdict;
};

void ExpectDecided(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.why);
    const History history = MakeHistory(c.ops);
    const std::optional<Verdict> fast = CheckByRevisions(history);
    ASSERT_TRUE(fast.has_value());
    EXPECT_EQ(*fast, c.verdict);
    EXPECT_EQ(CheckVerdict(history, ModelKind::kEtcd, false), c.verdict) << "WGL";
  }
}

const Verdict yes = Verdict::kLinearizable;
const Verdict no = Verdict::kNotLinearizable;

TEST(RevisionFastPath, DeletesBumpTheRevisionIffTheyDeletedSomething) {
  ExpectDecided({
      {"a delete of a present key is the write of its revision",
       {Put("a", "1", 1, 2, 2), Del("a", 3, 4, 3, 1), Get("a", std::nullopt, 5, 6, 3)}, yes},
      {"a delete of an absent key observes its revision",
       {Put("a", "1", 1, 2, 2), Del("b", 3, 4, 2, 0), Put("b", "2", 5, 6, 3)}, yes},
      {"deleted=1 on a key that is absent at that revision",
       {Put("a", "1", 1, 2, 2), Del("b", 3, 4, 3, 1)}, no},
      {"deleted=0 on a key that is present at that revision",
       {Put("a", "1", 1, 2, 2), Del("a", 3, 4, 2, 0)}, no},
      {"a read after the delete still sees the value",
       {Put("a", "1", 1, 2, 2), Del("a", 3, 4, 3, 1), Get("a", "1", 5, 6, 3)}, no},
      {"a one-key delete cannot delete two keys",
       {Put("a", "1", 1, 2, 2), Del("a", 3, 4, 3, 2)}, no},
  });
}

TEST(RevisionFastPath, IndeterminateWritesFillTheGaps) {
  ExpectDecided({
      {"an unobserved put fills the gap at revision 2",
       {Info(Put("a", "1", 1, 0, 0)), Put("b", "2", 3, 4, 3)}, yes},
      {"a gap no indeterminate write can fill",
       {Info(Get("a", "9", 1, 0, 0)), Put("b", "2", 3, 4, 3)}, no},
      {"the put was invoked after the write of revision 3 returned, too late for 2",
       {Put("b", "2", 1, 2, 3), Info(Put("a", "1", 5, 0, 0))}, no},
      {"a read proves the put took effect, filling the gap before it",
       {Info(Put("a", "1", 1, 0, 0)), Put("b", "2", 3, 4, 3), Get("a", "1", 5, 6, 3)}, yes},
      {"the value is read at a revision before the only gap the put can fill",
       {Put("b", "2", 1, 2, 2), Info(Put("a", "1", 1, 0, 0)), Get("a", "1", 3, 4, 2),
        Put("b", "3", 5, 6, 4)},
       no},
      {"an indeterminate put may never take effect",
       {Info(Put("a", "1", 1, 0, 0)), Put("a", "2", 3, 4, 2), Get("a", "2", 5, 6, 2)}, yes},
      {"but then nobody reads its value",
       {Info(Put("a", "1", 1, 0, 0)), Put("a", "2", 3, 4, 2), Get("a", "1", 5, 6, 2)}, no},
      {"the gap's put is overwritten before the read that needs it",
       {Info(Put("a", "1", 1, 0, 0)), Put("a", "2", 3, 4, 3), Get("a", "1", 5, 6, 3)}, no},
      {"reads pin two puts to two gaps: c at 2, then d at 3",
       {Info(Put("a", "c", 1, 0, 0)), Info(Put("a", "d", 1, 0, 0)), Get("a", "c", 2, 3, 2),
        Get("a", "d", 4, 5, 3)},
       yes},
      {"reading c after d at the same revision",
       {Info(Put("a", "c", 1, 0, 0)), Info(Put("a", "d", 1, 0, 0)), Get("a", "d", 2, 3, 3),
        Get("a", "c", 4, 5, 3)},
       no},
  });
}

TEST(RevisionFastPath, IndeterminateTxnsAndDeletesNeedTheirPrecondition) {
  ExpectDecided({
      {"a txn fills the gap only where its compare holds",
       {Put("a", "1", 1, 2, 2), Info(Txn("a", "1", "2", 3, 0, 0, true)), Put("b", "x", 5, 6, 4)},
       yes},
      {"a txn whose compare never holds cannot fill the gap",
       {Put("a", "1", 1, 2, 2), Info(Txn("a", "9", "2", 3, 0, 0, true)), Put("b", "x", 5, 6, 4)},
       no},
      {"an indeterminate delete fills the gap when the key is present",
       {Put("a", "1", 1, 2, 2), Info(Del("a", 3, 0, 0, 0)), Put("b", "x", 5, 6, 4),
        Get("a", std::nullopt, 7, 8, 4)},
       yes},
      {"an indeterminate delete of an absent key bumps nothing",
       {Info(Del("a", 1, 0, 0, 0)), Put("b", "x", 5, 6, 3)}, no},
      {"a failed txn observes the gap's value",
       {Info(Put("a", "1", 1, 0, 0)), Txn("a", "1", "2", 3, 4, 2, false)}, no},
      {"a succeeded txn proves the indeterminate put before it",
       {Info(Put("a", "1", 1, 0, 0)), Txn("a", "1", "2", 3, 4, 3, true)}, yes},
  });
}

TEST(RevisionFastPath, AmbiguousGapsAreSearched) {
  ExpectDecided({
      // Either put could fill revision 3; only b's keeps the read of a at 3 right.
      {"two unobserved puts, one gap: the one the reads allow",
       {Put("a", "0", 1, 2, 2), Info(Put("a", "1", 1, 0, 0)), Info(Put("b", "2", 1, 0, 0)),
        Get("a", "0", 3, 4, 3)},
       yes},
      {"the first gap's choice is refuted only at the last read",
       {Info(Put("a", "x1", 1, 0, 0)), Info(Put("a", "x2", 1, 0, 0)),
        Info(Txn("a", std::nullopt, "x3", 1, 0, 0, true)), Put("b", "y", 2, 3, 4),
        Get("b", "y", 4, 5, 4), Get("a", "x3", 6, 7, 4)},
       no},
      {"an absent-key txn first, then unobserved puts",
       {Info(Txn("a", std::nullopt, "x3", 1, 0, 0, true)), Info(Put("a", "x1", 1, 0, 0)),
        Get("a", "x3", 2, 3, 2), Put("b", "y", 2, 3, 4), Get("b", "y", 4, 5, 4)},
       yes},
  });
}

TEST(RevisionFastPath, LeavesToWglWhatItCannotDecide) {
  Operation unknown_count = Del("a", 1, 2, 1, 0);
  unknown_count.deleted = -1;
  Operation pinned_info = Info(Put("a", "1", 1, 0, 0));
  pinned_info.revision = 2;
  for (const Operation& op : {unknown_count, pinned_info}) {
    EXPECT_FALSE(CheckByRevisions(MakeHistory({op})).has_value()) << op.ToString();
  }
}

// The ops invoked in the first 3.1 s of a simulator swarm run (not failed;
// 199 of them), with 10 acknowledged writes turned indeterminate as if their
// responses were lost: 10 gaps, some filled by writes that later reads
// observe, some by writes nobody reads; the -bad file has one read observe a
// lost put before that put was invoked.
TEST(RevisionFastPath, DecidesSimulatorHistoryWithLostResponses) {
  const std::string dir = testing::SourceDir() + "/tests/testdata/checker/";
  const std::pair<const char*, Verdict> files[] = {
      {"etcd-swarm-lost-responses.jsonl", yes}, {"etcd-swarm-lost-responses-bad.jsonl", no}};
  for (const auto& [file, verdict] : files) {
    SCOPED_TRACE(file);
    HistoryFormat used = HistoryFormat::kAuto;
    auto history = ReadHistoryFile(dir + file, HistoryFormat::kAuto, &used);
    ASSERT_TRUE(history.has_value()) << history.error().message;
    const History prepared = Prepare(*history);
    const std::optional<Verdict> fast = CheckByRevisions(prepared);
    ASSERT_TRUE(fast.has_value());
    EXPECT_EQ(*fast, verdict);
    EXPECT_EQ(CheckVerdict(prepared, ModelKind::kEtcd, false), verdict) << "WGL";
  }
}

// ---- The property: random etcd histories, fast path against WGL. ----

// A sequential etcd store run by clients whose requests take effect at a
// random point of their interval; a timed-out request (status info) may
// still take effect later, or never (sim/etcd_history_gen.h).
History RandomEtcdHistory(const std::vector<uint32_t>& stream) {
  sim::StreamChoices choices(stream);
  sim::EtcdClientsOptions options;
  options.clients = 1 + choices.Draw(4);
  options.keys = 1 + choices.Draw(3);
  options.unique_values = choices.Draw(4) != 0;
  return sim::EtcdClients(choices, options).Run();
}

// Corruptions, most of which make the history non-linearizable: a read of
// another value, a revision off by one, a txn outcome or delete count
// flipped, an acknowledged write lost, a response dropped (always fine), an
// indeterminate write invoked late. `a` picks the op among those the kind
// applies to, `b` the details.
void Corrupt(History* history, uint32_t kind, uint32_t a, uint32_t b) {
  std::vector<Operation>& ops = history->ops;
  auto applies = [kind](const Operation& op) {
    const bool ok = op.status == OpStatus::kOk;
    switch (kind) {
      case 1: return ok && op.f == OpFunction::kRead;
      case 2: case 5: return ok;
      case 3: return ok && (op.f == OpFunction::kCas || op.f == OpFunction::kDelete);
      case 4: return ok && op.f != OpFunction::kRead;
      case 6: return !ok;
      default: return false;
    }
  };
  std::vector<size_t> targets;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (applies(ops[i])) targets.push_back(i);
  }
  if (targets.empty()) return;
  const size_t target = targets[a % targets.size()];
  Operation& op = ops[target];
  const Operation& other = ops[b % ops.size()];
  if (kind == 1) {
    op.output = {other.input.empty() ? Value::Nil() : other.input.back()};
  } else if (kind == 2) {
    op.revision += b % 2 == 0 ? 1 : -1;
  } else if (kind == 3) {
    op.succeeded = !op.succeeded;
    op.deleted = 1 - op.deleted;  // ignored unless a delete
  } else if (kind == 4) {
    ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(target));
  } else if (kind == 5) {
    op.status = OpStatus::kInfo;
    op.return_ns = kInfinity;
    op.revision = -1;
    op.deleted = -1;
  } else {
    op.invoke_ns = other.invoke_ns + b % 8;
  }
}

// Returns the fast path's verdict after checking it against WGL; nullopt if
// the fast path did not decide.
std::optional<Verdict> CompareWithWgl(const History& prepared) {
  const std::optional<Verdict> fast = CheckByRevisions(prepared);
  if (!fast.has_value()) return std::nullopt;
  RC_ASSERT(*fast == CheckVerdict(prepared, ModelKind::kEtcd, false));
  return fast;
}

// RC_PARAMS (seed, case count) come from tests/checker/CMakeLists.txt.
RC_GTEST_PROP(RevisionFastPath, AgreesWithWglOnRandomHistories, ()) {
  const size_t length = *rc::gen::inRange<size_t>(0, 240);
  const auto stream = *rc::gen::container<std::vector<uint32_t>>(
      length, rc::gen::inRange<uint32_t>(0, 1 << 20));
  History history = RandomEtcdHistory(stream);
  const uint32_t kind = *rc::gen::inRange<uint32_t>(0, 7);
  const uint32_t a = *rc::gen::arbitrary<uint32_t>();
  const uint32_t b = *rc::gen::arbitrary<uint32_t>();
  Corrupt(&history, kind, a, b);
  const History prepared = Prepare(history);
  RC_LOG() << Dump(prepared);
  const std::optional<Verdict> fast = CompareWithWgl(prepared);
  RC_ASSERT(fast.has_value());  // every generated op carries what the fast path needs
  RC_CLASSIFY(*fast == Verdict::kLinearizable, "linearizable");
}

// The same comparison over a fixed sequence of histories, counting what was
// exercised, so a generator that stops producing gaps or violations fails.
TEST(RevisionFastPath, AgreesWithWglAndExercisesGapsAndViolations) {
  Prng prng(20261122);
  int decided[2] = {0, 0};
  int with_gaps = 0;
  for (int i = 0; i < 1000; ++i) {
    std::vector<uint32_t> stream(prng.Index(240));
    for (uint32_t& x : stream) x = static_cast<uint32_t>(prng.Index(1 << 20));
    History history = RandomEtcdHistory(stream);
    const uint32_t kind = static_cast<uint32_t>(prng.Index(7));
    const uint32_t a = static_cast<uint32_t>(prng.Next());
    const uint32_t b = static_cast<uint32_t>(prng.Next());
    Corrupt(&history, kind, a, b);
    const History prepared = Prepare(history);
    const std::optional<Verdict> fast = CheckByRevisions(prepared);
    ASSERT_TRUE(fast.has_value()) << Dump(prepared);
    ASSERT_EQ(*fast, CheckVerdict(prepared, ModelKind::kEtcd, false)) << Dump(prepared);
    ++decided[*fast == Verdict::kLinearizable ? 0 : 1];
    int64_t acked_writes = 0;
    int64_t revision_max = 1;
    for (const Operation& op : prepared.ops) {
      revision_max = std::max(revision_max, op.revision);
      const bool bump = op.f == OpFunction::kWrite || (op.f == OpFunction::kCas && op.succeeded) ||
                        (op.f == OpFunction::kDelete && op.deleted == 1);
      if (bump && op.status == OpStatus::kOk) ++acked_writes;
    }
    if (*fast == Verdict::kLinearizable && acked_writes + 1 < revision_max) ++with_gaps;
  }
  EXPECT_GT(decided[0], 200);
  EXPECT_GT(decided[1], 200);
  EXPECT_GT(with_gaps, 100);  // linearizable only thanks to indeterminate writes
}

// Larger generated histories (sim/etcd_history_gen.h), many concurrent
// clients and timed-out writes: linearizable by construction, and not once
// one read is made stale. The fast path may leave a history to WGL (its step
// budget), but must never contradict the construction, and must decide most.
TEST(RevisionFastPath, GeneratedHistoriesKeepTheirVerdicts) {
  struct Config {
    size_t ops;
    uint32_t clients, keys, timeout_one_in;
    uint64_t seeds;
  };
  const Config configs[] = {
      {400, 4, 3, 3, 40},      {1500, 8, 6, 5, 30},     {4000, 30, 40, 8, 20},
      {8000, 50, 100, 15, 10}, {20000, 50, 300, 40, 4},
  };
  int cases = 0;
  int decided = 0;
  for (const Config& config : configs) {
    for (uint64_t seed = 1; seed <= config.seeds; ++seed) {
      sim::PrngChoices choices(seed);
      sim::EtcdClientsOptions options;
      options.clients = config.clients;
      options.keys = config.keys;
      options.timeout_one_in = config.timeout_one_in;
      options.fail_one_in = 100;
      options.txn_compare_recent = 2;
      sim::EtcdClients clients(choices, options);
      History history = clients.Run(config.ops);
      const std::optional<Verdict> ok = CheckByRevisions(Prepare(history));
      EXPECT_NE(ok, Verdict::kNotLinearizable) << config.ops << " ops, seed " << seed;
      ASSERT_TRUE(clients.InjectStaleRead(&history, history.ops.size() / 2).has_value());
      const std::optional<Verdict> stale = CheckByRevisions(Prepare(history));
      EXPECT_NE(stale, Verdict::kLinearizable) << config.ops << " ops, seed " << seed;
      cases += 2;
      decided += (ok.has_value() ? 1 : 0) + (stale.has_value() ? 1 : 0);
    }
  }
  EXPECT_GE(decided, cases * 9 / 10);
}

}  // namespace
}  // namespace raftlab::checker
