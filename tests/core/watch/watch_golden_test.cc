// Golden watch streams: tests/testdata/watch/*.txt.
//
// Commands:
//   put k=KEY v=VALUE | del k=KEY | compact rev=N    writes, as in mvcc goldens
//   txn                       input lines "put K V" / "del K", one revision
//   watch key=K [end=E|NUL] [start=N] [prev_kv] [noput] [nodelete] [fragment]
//   sync                      one SyncWatchers step (options: sync=N revisions)
//   progress                  RequestProgress
//   cancel id=N
//   drain                     prints and clears every queued response
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/mvcc/kv_store.h"
#include "core/watch/watchable_store.h"
#include "tests/util/datadriven.h"

namespace raftlab::watch {
namespace {

using raftlab::testing::TestData;

std::string Kv(const mvccpb::KeyValue& kv) {
  return kv.key() + "=" + kv.value() + " (create=" + std::to_string(kv.create_revision()) +
         " mod=" + std::to_string(kv.mod_revision()) + " ver=" + std::to_string(kv.version()) +
         ")";
}

std::string Describe(const etcdserverpb::WatchResponse& r) {
  std::string out = "w" + std::to_string(r.watch_id()) + " rev=" +
                    std::to_string(r.header().revision()) + ":";
  if (r.created()) out += " created";
  if (r.canceled()) out += " canceled";
  if (r.compact_revision() != 0) out += " compact_revision=" + std::to_string(r.compact_revision());
  if (!r.created() && !r.canceled() && r.events_size() == 0) out += " bookmark";
  if (r.fragment()) out += " (fragment)";
  for (const auto& e : r.events()) {
    out += e.type() == mvccpb::Event::PUT ? "\n  PUT " + Kv(e.kv())
                                          : "\n  DELETE " + e.kv().key() + " mod=" +
                                                std::to_string(e.kv().mod_revision());
    if (e.has_prev_kv()) out += " prev: " + Kv(e.prev_kv());
  }
  return out;
}

std::string Write(WatchableStore* ws, TestData& td) {
  if (td.cmd == "put") {
    etcdserverpb::PutRequest p;
    p.set_key(td.ArgString("k", ""));
    p.set_value(td.ArgString("v", ""));
    return "rev=" + std::to_string(ws->Put(p).response.header().revision());
  }
  if (td.cmd == "del") {
    etcdserverpb::DeleteRangeRequest d;
    d.set_key(td.ArgString("k", ""));
    return "rev=" + std::to_string(ws->DeleteRange(d).response.header().revision());
  }
  if (td.cmd == "compact") {
    etcdserverpb::CompactionRequest c;
    c.set_revision(static_cast<int64_t>(td.ArgUint("rev", 0)));
    auto out = ws->Compact(c);
    return out.ok() ? "ok" : mvcc::KvStatusName(out.status);
  }
  etcdserverpb::TxnRequest txn;
  std::istringstream in(td.input);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string op, key, value;
    words >> op >> key >> value;
    if (op == "put") {
      auto* p = txn.add_success()->mutable_request_put();
      p->set_key(key);
      p->set_value(value);
    } else {
      txn.add_success()->mutable_request_delete_range()->set_key(key);
    }
  }
  return "rev=" + std::to_string(ws->Txn(txn).response.header().revision());
}

std::string CreateWatch(WatchableStore* ws, TestData& td) {
  etcdserverpb::WatchCreateRequest req;
  req.set_key(td.ArgString("key", ""));
  const std::string end = td.ArgString("end", "");
  req.set_range_end(end == "NUL" ? std::string(1, '\0') : end);
  req.set_start_revision(static_cast<int64_t>(td.ArgUint("start", 0)));
  req.set_prev_kv(td.HasArg("prev_kv"));
  req.set_fragment(td.HasArg("fragment"));
  if (td.HasArg("noput")) req.add_filters(etcdserverpb::WatchCreateRequest::NOPUT);
  if (td.HasArg("nodelete")) req.add_filters(etcdserverpb::WatchCreateRequest::NODELETE);
  CreateResult out = ws->Create(req);
  return "w" + std::to_string(out.watch_id) + (ws->Exists(out.watch_id) ? "" : " (gone)");
}

std::string Handle(WatchableStore* ws, TestData& td) {
  if (td.cmd == "put" || td.cmd == "del" || td.cmd == "compact" || td.cmd == "txn") {
    return Write(ws, td);
  }
  if (td.cmd == "watch") return CreateWatch(ws, td);
  if (td.cmd == "sync") {
    ws->SyncWatchers();
    return "synced=" + std::to_string(ws->synced_count()) +
           " unsynced=" + std::to_string(ws->unsynced_count());
  }
  if (td.cmd == "progress") {
    ws->RequestProgress();
    return "ok";
  }
  if (td.cmd == "cancel") {
    return ws->Cancel(static_cast<int64_t>(td.ArgUint("id", 0))) == WatchStatus::kOk ? "ok"
                                                                                    : "not found";
  }
  if (td.cmd == "drain") {
    std::string out;
    for (const auto& [id, responses] : ws->DrainAll()) {
      for (const auto& r : responses) out += Describe(r) + "\n";
    }
    return out.empty() ? "(nothing)" : out.substr(0, out.size() - 1);
  }
  ADD_FAILURE() << td.Pos() << ": unknown command " << td.cmd;
  return "";
}

TEST(WatchGolden, Streams) {
  const std::string dir = raftlab::testing::SourceDir() + "/tests/testdata/watch";
  const auto files = raftlab::testing::ListFiles(dir, ".txt");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    mvcc::KvStore kv;
    // Small numbers so the files can show catch-up in steps and fragments.
    WatchableStore ws(&kv, WatchOptions{.fragment_bytes = 45, .sync_revisions_max = 2, .batch_revisions_max = 2});
    raftlab::testing::RunTest(file, [&](TestData& td) { return Handle(&ws, td); });
  }
}

}  // namespace
}  // namespace raftlab::watch
