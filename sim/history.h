// History: what the clients saw — one record per operation, written as
// raftlab's JSON-lines history (docs/formats.md), which `raftlab check`
// and the checker library read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/sim_records.h"

namespace raftlab::sim {

struct HistoryOp {
  uint64_t client = 0;  // stream id: fresh after an indeterminate outcome
  uint64_t op_id = 0;
  uint64_t invoke_ns = 0;
  std::optional<uint64_t> return_ns;  // none for indeterminate operations
  std::string status;                  // "ok", "fail", "info"
  std::string f;                       // "get", "put", "delete", "txn"
  std::string key;
  std::optional<std::string> value;          // put, txn: the value written
  std::optional<std::string> compare_value;  // txn: the expected value
  bool compare_absent = false;               // txn: compares "the key is absent" (null)
  std::optional<std::string> result;         // get (ok): the value read; none = absent
  bool result_present = false;               // get (ok): whether `result` is meaningful
  std::optional<bool> succeeded;             // txn (ok)
  std::optional<int64_t> revision;           // header revision
  std::optional<int64_t> deleted;            // delete (ok)
  std::string error;
};

// Keys and values are written losslessly (checker/json.h: a string when
// they are valid UTF-8, else {"base64": ...}); every line is valid UTF-8.
std::string ToJsonLine(const HistoryOp& op);
std::string ToJsonLines(const std::vector<HistoryOp>& ops);
// Watch clients: one {"record":"watch",...} line per thing a client saw.
std::string ToJsonLines(const std::vector<checker::WatchStream>& streams);
// Lease-client requests ({"record":"lease"}) or compactions ({"record":"compact"}).
std::string ToJsonLines(const std::vector<checker::AuxOp>& ops, const std::string& record);

}  // namespace raftlab::sim
