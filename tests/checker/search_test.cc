// Hand-made histories whose verdicts follow from the definition of
// linearizability (each case says why), run through the WGL search.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "checker/explain.h"
#include "checker/linearizability.h"

namespace raftlab::checker {
namespace {

Operation Op(int64_t client, OpFunction f, uint64_t invoke, uint64_t ret,
             std::vector<Value> input, std::vector<Value> output = {},
             OpStatus status = OpStatus::kOk) {
  Operation op;
  op.client = client;
  op.f = f;
  op.invoke_ns = invoke;
  op.return_ns = status == OpStatus::kInfo ? kInfinity : ret;
  op.input = std::move(input);
  op.output = std::move(output);
  op.status = status;
  op.key = "x";
  return op;
}

Operation Write(int64_t c, uint64_t i, uint64_t r, int64_t v, OpStatus s = OpStatus::kOk) {
  return Op(c, OpFunction::kWrite, i, r, {Value::Int(v)}, {}, s);
}
Operation Read(int64_t c, uint64_t i, uint64_t r, std::optional<int64_t> v) {
  return Op(c, OpFunction::kRead, i, r, {}, {v ? Value::Int(*v) : Value::Nil()});
}
Operation Cas(int64_t c, uint64_t i, uint64_t r, int64_t from, int64_t to,
              OpStatus s = OpStatus::kOk) {
  return Op(c, OpFunction::kCas, i, r, {Value::Int(from), Value::Int(to)}, {}, s);
}

// The ops as a history, numbered in order.
History Numbered(std::vector<Operation> ops) {
  History history;
  history.source = "test";
  for (size_t i = 0; i < ops.size(); ++i) {
    ops[i].id = i;
    history.ops.push_back(ops[i]);
  }
  return history;
}

Verdict Check(std::vector<Operation> ops, ModelKind model = ModelKind::kCasRegister) {
  return CheckVerdict(Prepare(Numbered(std::move(ops))), model, true);
}

struct Case {
  const char* why;
  std::vector<Operation> ops;
  Verdict verdict;
};

TEST(Wgl, HandMadeRegisterHistories) {
  const Verdict yes = Verdict::kLinearizable;
  const Verdict no = Verdict::kNotLinearizable;
  const std::vector<Case> cases = {
      {"empty history", {}, yes},
      {"read of the initial absent value", {Read(0, 1, 2, std::nullopt)}, yes},
      {"stale read: 2 overwrote 1 before the read began",
       {Write(0, 1, 2, 1), Write(0, 3, 4, 2), Read(1, 5, 6, 1)}, no},
      {"read concurrent with the overwrite may see either value",
       {Write(0, 1, 2, 1), Write(0, 3, 6, 2), Read(1, 4, 5, 1)}, yes},
      {"lost write: the read after the write sees the initial value",
       {Write(0, 1, 2, 1), Read(1, 3, 4, std::nullopt)}, no},
      {"a read may not go back in time after another read saw the new value",
       {Write(0, 1, 10, 1), Read(1, 2, 3, 1), Read(2, 4, 5, std::nullopt)}, no},
      {"touching intervals are concurrent (closed intervals)",
       {Write(0, 1, 5, 1), Read(1, 5, 6, std::nullopt)}, yes},
      {"duplicated write: 1 reappears after 2 replaced it, with one write of 1",
       {Write(0, 1, 2, 1), Write(1, 3, 4, 2), Read(2, 5, 6, 2), Read(2, 7, 8, 1)}, no},
      {"an indeterminate write may take effect late",
       {Write(0, 1, 2, 1, OpStatus::kInfo), Read(1, 10, 11, std::nullopt), Read(1, 12, 13, 1)},
       yes},
      {"an indeterminate write may never take effect",
       {Write(0, 1, 2, 1, OpStatus::kInfo), Read(1, 10, 11, std::nullopt)}, yes},
      {"an indeterminate write cannot take effect before its invocation",
       {Read(1, 1, 2, 7), Write(0, 3, 4, 7, OpStatus::kInfo)}, no},
      {"a failed op certainly had no effect",
       {Write(0, 1, 2, 1, OpStatus::kFail), Read(1, 3, 4, 1)}, no},
      {"cas succeeds only from the expected value",
       {Write(0, 1, 2, 1), Cas(0, 3, 4, 2, 3), Read(1, 5, 6, 3)}, no},
      {"cas chain", {Write(0, 1, 2, 1), Cas(0, 3, 4, 1, 3), Read(1, 5, 6, 3)}, yes},
      {"indeterminate cas either applied or not",
       {Write(0, 1, 2, 1), Cas(0, 3, 4, 1, 3, OpStatus::kInfo), Read(1, 5, 6, 1),
        Read(1, 7, 8, 3)}, yes},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].why);
    EXPECT_EQ(Check(cases[i].ops), cases[i].verdict);
  }
}

Operation Kv(int64_t c, OpFunction f, uint64_t i, uint64_t r, const char* key,
             const char* value, OpStatus status = OpStatus::kOk) {
  Operation op = Op(c, f, i, r, {}, {}, status);
  op.key = key;
  if (f == OpFunction::kRead) {
    op.output = {Value::String(value)};
  } else {
    op.input = {Value::String(value)};
  }
  return op;
}

TEST(Wgl, KvAppendOrderMustMatchReads) {
  const auto A = OpFunction::kAppend;
  const auto G = OpFunction::kRead;
  // Concurrent appends may land in either order, but both reads must agree.
  EXPECT_EQ(Check({Kv(0, A, 1, 4, "k", "a"), Kv(1, A, 2, 5, "k", "b"), Kv(2, G, 6, 7, "k", "ba")},
                  ModelKind::kKv),
            Verdict::kLinearizable);
  EXPECT_EQ(Check({Kv(0, A, 1, 4, "k", "a"), Kv(1, A, 2, 5, "k", "b"), Kv(2, G, 6, 7, "k", "ba"),
                   Kv(2, G, 8, 9, "k", "ab")},
                  ModelKind::kKv),
            Verdict::kNotLinearizable);
  // An absent key reads as "", and keys are independent.
  EXPECT_EQ(Check({Kv(0, A, 1, 2, "k", "a"), Kv(1, G, 3, 4, "j", "")}, ModelKind::kKv),
            Verdict::kLinearizable);
  // Same string spelled by different append splits: "ab" = "a"+"b" = put "ab".
  EXPECT_EQ(Check({Kv(0, OpFunction::kWrite, 1, 2, "k", "a"), Kv(0, A, 3, 4, "k", "b"),
                   Kv(1, G, 5, 6, "k", "ab")},
                  ModelKind::kKv),
            Verdict::kLinearizable);
}

// Cases for the kv lookahead (wgl_search.h), each run with it on and off:
// the verdict is the definition's either way, whole history or per key.
TEST(Wgl, KvLookaheadKeepsVerdicts) {
  const auto A = OpFunction::kAppend;
  const auto G = OpFunction::kRead;
  const auto P = OpFunction::kWrite;
  const Verdict yes = Verdict::kLinearizable;
  const Verdict no = Verdict::kNotLinearizable;
  const std::vector<Case> cases = {
      {"a long append may land before a put that hides it: a, put p, read p, b, read pb",
       {Kv(0, A, 1, 100, "k", "a"), Kv(1, P, 10, 20, "k", "p"), Kv(2, G, 30, 40, "k", "p"),
        Kv(3, A, 45, 50, "k", "b"), Kv(2, G, 60, 70, "k", "pb")},
       yes},
      {"...or after everything it overlaps: put p, read p, b, read pb, a, read pba",
       {Kv(0, A, 1, 100, "k", "a"), Kv(1, P, 10, 20, "k", "p"), Kv(2, G, 30, 40, "k", "p"),
        Kv(3, A, 45, 50, "k", "b"), Kv(2, G, 60, 70, "k", "pb"), Kv(2, G, 110, 120, "k", "pba")},
       yes},
      {"but not both: a read after pba sees pb, and no put can come between",
       {Kv(0, A, 1, 100, "k", "a"), Kv(1, P, 10, 20, "k", "p"), Kv(2, G, 30, 40, "k", "p"),
        Kv(3, A, 45, 50, "k", "b"), Kv(2, G, 60, 70, "k", "pb"), Kv(2, G, 110, 120, "k", "pba"),
        Kv(2, G, 130, 140, "k", "pb")},
       no},
      {"a read late in the history misses a put that returned before it began",
       {Kv(0, A, 1, 2, "k", "a"), Kv(1, A, 3, 4, "j", "x"), Kv(0, P, 5, 6, "k", "p"),
        Kv(1, A, 7, 8, "j", "y"), Kv(2, G, 9, 10, "j", "xy"), Kv(2, G, 11, 12, "k", "a")},
       no},
      {"a stale read: an earlier read saw ab, a later one a (no put in between)",
       {Kv(0, A, 1, 2, "k", "a"), Kv(1, A, 3, 4, "k", "b"), Kv(2, G, 5, 6, "k", "ab"),
        Kv(3, A, 1, 20, "j", "z"), Kv(2, G, 7, 8, "k", "a"), Kv(3, G, 21, 22, "j", "z")},
       no},
      {"the same with a put of a concurrent with the second read: it may read the put",
       {Kv(0, A, 1, 2, "k", "a"), Kv(1, A, 3, 4, "k", "b"), Kv(2, G, 5, 6, "k", "ab"),
        Kv(1, P, 7, 9, "k", "a"), Kv(2, G, 8, 10, "k", "a")},
       yes},
      {"an append that returned before a read began must show in it",
       {Kv(0, P, 1, 2, "k", "p"), Kv(1, A, 3, 4, "k", "a"), Kv(1, A, 3, 20, "k", "b"),
        Kv(2, G, 5, 6, "k", "pb")},
       no},
      {"unless it may have come before the put that starts the value",
       {Kv(1, A, 1, 4, "k", "a"), Kv(0, P, 2, 3, "k", "p"), Kv(1, A, 2, 20, "k", "b"),
        Kv(2, G, 5, 6, "k", "pb")},
       yes},
      {"an indeterminate append need not show, nor an indeterminate put",
       {Kv(0, P, 1, 2, "k", "p"), Kv(1, A, 3, 4, "k", "a", OpStatus::kInfo),
        Kv(1, P, 3, 4, "k", "q", OpStatus::kInfo), Kv(2, G, 5, 6, "k", "p")},
       yes},
      {"an indeterminate put may start a later read's value",
       {Kv(0, P, 1, 2, "k", "p"), Kv(1, P, 3, 4, "k", "q", OpStatus::kInfo),
        Kv(2, A, 5, 6, "k", "a"), Kv(2, G, 7, 8, "k", "qa")},
       yes},
  };
  for (const Case& c : cases) {
    History history;
    history.source = "test";
    for (size_t i = 0; i < c.ops.size(); ++i) {
      history.ops.push_back(c.ops[i]);
      history.ops.back().id = i;
    }
    const History prepared = Prepare(history);
    for (bool partition : {false, true}) {
      for (bool lookahead : {false, true}) {
        CheckOptions options;
        options.model = ModelKind::kKv;
        options.partition = partition;
        options.lookahead = lookahead;
        auto result = CheckHistory(prepared, "test", options);
        ASSERT_TRUE(result.has_value());
        EXPECT_EQ(result->verdict, c.verdict)
            << c.why << " (partition " << partition << ", lookahead " << lookahead << ")";
      }
    }
  }
}

TEST(Wgl, ModelRejectsUnsupportedOps) {
  History history;
  history.ops.push_back(Cas(0, 1, 2, 1, 2));
  history.ops[0].source_line = 7;
  CheckOptions options;
  options.model = ModelKind::kRegister;
  auto result = CheckHistory(Prepare(history), "h.edn", options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "h.edn:7: the register model has no 'cas' operation");
}

TEST(Wgl, TimeLimitGivesUnknown) {
  // 24 concurrent writes of distinct values and a read of a value never
  // written: refuting it means visiting many subsets of the writes. Whether the
  // 1 ms / 1 MiB limit or the refutation comes first, it is never "linearizable".
  std::vector<Operation> ops;
  for (int i = 0; i < 24; ++i) ops.push_back(Write(i, 1, 100, i));
  ops.push_back(Read(99, 1, 100, 1000));
  History history;
  for (size_t i = 0; i < ops.size(); ++i) {
    ops[i].id = i;
    history.ops.push_back(ops[i]);
  }
  CheckOptions options;
  options.timeout_ms = 1;
  options.memory_bytes_max = 1 << 20;
  auto result = CheckHistory(Prepare(history), "t", options);
  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->verdict, Verdict::kLinearizable);
}

TEST(Explain, ShrinksStaleReadToItsCore) {
  // Unrelated traffic from clients 5 and 6 around a stale read.
  std::vector<Operation> ops = {Write(5, 1, 2, 7),  Read(6, 3, 4, 7),  Write(0, 10, 11, 1),
                                Write(0, 12, 13, 2), Read(5, 14, 15, 2), Read(1, 16, 17, 1),
                                Read(6, 18, 19, 2)};
  const History prepared = Prepare(Numbered(ops));
  CheckOptions options;
  options.keep_longest = true;
  auto result = CheckHistory(prepared, "t", options);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->verdict, Verdict::kNotLinearizable);
  const Explanation e = Explain(prepared, *result, ModelKind::kCasRegister);
  // The smallest failing cores here have 3 ops (write 1, write 2, read 1).
  EXPECT_TRUE(e.minimal_is_one_minimal);
  EXPECT_LE(e.minimal.size(), 3u);
  EXPECT_EQ(CheckVerdict(SubHistory(prepared, e.minimal), ModelKind::kCasRegister, false),
            Verdict::kNotLinearizable);
  // 1-minimal: dropping any op makes it linearizable or leaves a read whose
  // value no remaining op wrote (a trivial failure the shrinker avoids).
  auto orphan_read = [&](const std::vector<uint64_t>& ids) {
    for (uint64_t r : ids) {
      const Operation& read = prepared.ops[r];
      if (read.f != OpFunction::kRead || read.output[0].IsNil()) continue;
      bool written = false;
      for (uint64_t w : ids) {
        const Operation& op = prepared.ops[w];
        written = written || (op.f == OpFunction::kWrite && op.input[0] == read.output[0]);
      }
      if (!written) return true;
    }
    return false;
  };
  EXPECT_FALSE(orphan_read(e.minimal));
  for (size_t drop = 0; drop < e.minimal.size(); ++drop) {
    std::vector<uint64_t> rest = e.minimal;
    rest.erase(rest.begin() + drop);
    const bool linearizable = CheckVerdict(SubHistory(prepared, rest), ModelKind::kCasRegister,
                                           false) == Verdict::kLinearizable;
    EXPECT_TRUE(linearizable || orphan_read(rest)) << "dropping op " << rest.size();
  }
  EXPECT_FALSE(e.unplaceable.empty());
  const std::string text = ExplainText(prepared, *result, ModelKind::kCasRegister);
  EXPECT_NE(text.find("minimal failing sub-history"), std::string::npos) << text;
}

}  // namespace
}  // namespace raftlab::checker

namespace raftlab::checker {
namespace {

Operation Etcd(Operation op, int64_t revision, const char* key = "a") {
  op.revision = revision;
  op.key = key;
  return op;
}

Operation Deleted(Operation op, int64_t deleted) {
  op.deleted = deleted;
  return op;
}

TEST(Wgl, EtcdHeaderRevisionsMustMatch) {
  const Verdict yes = Verdict::kLinearizable;
  const Verdict no = Verdict::kNotLinearizable;
  Operation failed_txn = Cas(0, 1, 2, 9, 1);
  failed_txn.succeeded = false;
  Operation del = Op(0, OpFunction::kDelete, 1, 2, {});
  const std::vector<Case> cases = {
      {"a put moves revision 1 to 2; the read after it sees 2",
       {Etcd(Write(0, 1, 2, 1), 2), Etcd(Read(1, 3, 4, 1), 2)}, yes},
      {"a read reporting a revision the value was not at",
       {Etcd(Write(0, 1, 2, 1), 2), Etcd(Read(1, 3, 4, 1), 3)}, no},
      {"concurrent puts ordered by their revisions: 2 then 1, last value 1",
       {Etcd(Write(0, 1, 4, 1), 3), Etcd(Write(1, 2, 3, 2), 2), Etcd(Read(2, 5, 6, 1), 3)}, yes},
      {"revision 3 belongs to the put of 1, so reading 2 at 3 is wrong",
       {Etcd(Write(0, 1, 4, 1), 3), Etcd(Write(1, 2, 3, 2), 2), Etcd(Read(2, 5, 6, 2), 3)}, no},
      {"revisions must follow real time: the earlier put got the later revision",
       {Etcd(Write(0, 1, 2, 1), 3), Etcd(Write(1, 3, 4, 2), 2)}, no},
      {"a failed txn does not bump the revision", {Etcd(failed_txn, 1)}, yes},
      {"a failed txn reporting a bumped revision", {Etcd(failed_txn, 2)}, no},
      {"deleting an absent key does not bump the revision", {Etcd(del, 1, "b")}, yes},
      {"deleting an absent key reporting a bump", {Etcd(del, 2, "b")}, no},
      {"deleting an absent key reporting deleted=1", {Etcd(Deleted(del, 1), 1, "b")}, no},
      {"deleting a present key reporting deleted=0",
       {Etcd(Write(0, 1, 2, 1), 2), Etcd(Deleted(Op(0, OpFunction::kDelete, 3, 4, {}), 0), 2)},
       no},
      {"deleting a present key reporting deleted=1 bumps the revision",
       {Etcd(Write(0, 1, 2, 1), 2), Etcd(Deleted(Op(0, OpFunction::kDelete, 3, 4, {}), 1), 3)},
       yes},
      {"an indeterminate put explains the gap in revisions",
       {Etcd(Write(0, 1, 2, 1, OpStatus::kInfo), -1), Etcd(Write(1, 3, 4, 2), 3, "b")}, yes},
      {"revisions are global: a put on b moves a's reads forward",
       {Etcd(Write(0, 1, 2, 1), 2, "b"), Etcd(Read(1, 3, 4, std::nullopt), 1)}, no},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.why);
    EXPECT_EQ(Check(c.ops, ModelKind::kEtcd), c.verdict);
  }
}

TEST(Explain, EtcdMinimalHistoryKeepsTheWritesItsRevisionsNeed) {
  // Three puts on other keys move the revision to 4; a put of 1 on a
  // (revision 5), a put of 2 on a (revision 6), then a read of a at
  // revision 6 that returns the old value 1: stale. Every put's revision
  // depends on all puts before it, so a lone put (whose revision nothing
  // else left explains) is no explanation; the core keeps the stale read,
  // the two puts of a, and enough earlier puts to reach revision 6.
  std::vector<Operation> ops = {Etcd(Write(0, 1, 2, 7), 2, "b"), Etcd(Write(1, 3, 4, 8), 3, "c"),
                                Etcd(Write(0, 5, 6, 9), 4, "d"), Etcd(Write(1, 7, 8, 1), 5),
                                Etcd(Write(0, 9, 10, 2), 6),      Etcd(Read(2, 11, 12, 1), 6)};
  const History prepared = Prepare(Numbered(ops));
  CheckOptions options;
  options.model = ModelKind::kEtcd;
  options.keep_longest = true;
  auto result = CheckHistory(prepared, "t", options);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->verdict, Verdict::kNotLinearizable);
  const Explanation e = Explain(prepared, *result, ModelKind::kEtcd);
  EXPECT_EQ(CheckVerdict(SubHistory(prepared, e.minimal), ModelKind::kEtcd, false),
            Verdict::kNotLinearizable);
  const std::vector<uint64_t> want = {0, 1, 2, 3, 4, 5};
  EXPECT_EQ(e.minimal, want) << "every op is needed: dropping any put leaves a revision "
                                "nothing explains, dropping the read leaves no violation";
}

}  // namespace
}  // namespace raftlab::checker
