// Golden MVCC visibility tables: tests/testdata/mvcc/*.txt.
//
// Commands:
//   put k=KEY v=VALUE        one Put; prints the new revision
//   del k=KEY [end=END]      one DeleteRange ("\0" is written as end=NUL)
//   txn                      a Txn of the input lines, "put K V" / "del K"
//   compact rev=N            Compact(N); prints ok or the status
//   index                    every key's generations ("t" marks tombstones)
//   records                  the retained (main,sub) -> change records
//   read                     what a full-range read sees at each revision
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/mvcc/kv_store.h"
#include "tests/util/datadriven.h"

namespace raftlab::mvcc {
namespace {

std::string Unescape(const std::string& s) { return s == "NUL" ? std::string(1, '\0') : s; }

std::string Kv(const mvccpb::KeyValue& kv) {
  return kv.key() + "=" + kv.value() + " (create=" + std::to_string(kv.create_revision()) +
         " mod=" + std::to_string(kv.mod_revision()) + " ver=" + std::to_string(kv.version()) + ")";
}

std::string ReadTable(const KvStore& s) {
  std::string out;
  for (int64_t rev = 1; rev <= s.current_revision(); ++rev) {
    etcdserverpb::RangeRequest all;
    all.set_key(std::string(1, '\0'));
    all.set_range_end(std::string(1, '\0'));
    all.set_revision(rev);
    auto r = s.Range(all);
    out += "@" + std::to_string(rev) + ":";
    if (!r.ok()) out += std::string(" ") + KvStatusName(r.status);
    for (const auto& kv : r.response.kvs()) out += " " + Kv(kv);
    if (r.ok() && r.response.kvs_size() == 0) out += " (nothing)";
    out += "\n";
  }
  return out;
}

std::string RunTxn(KvStore* s, const std::string& input) {
  etcdserverpb::TxnRequest txn;
  std::string line;
  std::istringstream in(input);
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string op, key, value;
    words >> op >> key >> value;
    if (op == "put") {
      auto* p = txn.add_success()->mutable_request_put();
      p->set_key(key);
      p->set_value(value);
    } else if (op == "del") {
      txn.add_success()->mutable_request_delete_range()->set_key(key);
    }
  }
  auto out = s->Txn(txn);
  if (!out.ok()) return KvStatusName(out.status);
  return "rev=" + std::to_string(out.response.header().revision());
}

std::string Handle(KvStore* s, raftlab::testing::TestData& td) {
  if (td.cmd == "put") {
    etcdserverpb::PutRequest p;
    p.set_key(td.ArgString("k", ""));
    p.set_value(td.ArgString("v", ""));
    auto out = s->Put(p);
    return out.ok() ? "rev=" + std::to_string(out.response.header().revision())
                    : KvStatusName(out.status);
  }
  if (td.cmd == "del") {
    etcdserverpb::DeleteRangeRequest d;
    d.set_key(td.ArgString("k", ""));
    d.set_range_end(Unescape(td.ArgString("end", "")));
    auto out = s->DeleteRange(d);
    return "deleted=" + std::to_string(out.response.deleted()) +
           " rev=" + std::to_string(out.response.header().revision());
  }
  if (td.cmd == "txn") return RunTxn(s, td.input);
  if (td.cmd == "compact") {
    etcdserverpb::CompactionRequest c;
    c.set_revision(static_cast<int64_t>(td.ArgUint("rev", 0)));
    auto out = s->Compact(c);
    return out.ok() ? "ok" : KvStatusName(out.status);
  }
  if (td.cmd == "index") {
    std::string out;
    for (const auto& [key, ki] : s->index().keys()) out += key + ": " + ki.Describe() + "\n";
    return out.empty() ? "(empty)" : out.substr(0, out.size() - 1);
  }
  if (td.cmd == "records") {
    std::string out;
    for (const auto& [rev, rec] : s->records()) {
      out +=
          rev.ToString() + " " + (rec.tombstone ? "DELETE " + rec.kv.key() : "PUT " + Kv(rec.kv));
      out += "\n";
    }
    return out.empty() ? "(empty)" : out.substr(0, out.size() - 1);
  }
  if (td.cmd == "read") {
    std::string table = ReadTable(*s);
    return table.substr(0, table.size() - 1);
  }
  ADD_FAILURE() << td.Pos() << ": unknown command " << td.cmd;
  return "";
}

TEST(MvccGolden, Tables) {
  const std::string dir = raftlab::testing::SourceDir() + "/tests/testdata/mvcc";
  const auto files = raftlab::testing::ListFiles(dir, ".txt");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    KvStore store;
    raftlab::testing::RunTest(file,
                              [&](raftlab::testing::TestData& td) { return Handle(&store, td); });
  }
}

}  // namespace
}  // namespace raftlab::mvcc
