#include "sim/history.h"

#include <fmt/format.h>

namespace raftlab::sim {
std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}


std::string ToJsonLine(const HistoryOp& op) {
  std::string out = fmt::format("{{\"client\":{},\"op_id\":{},\"invoke_ns\":{},\"return_ns\":{}",
                                op.client, op.op_id, op.invoke_ns,
                                op.return_ns ? std::to_string(*op.return_ns) : "null");
  out += ",\"status\":" + JsonQuote(op.status) + ",\"f\":" + JsonQuote(op.f) + ",\"key\":" + JsonQuote(op.key);
  if (op.value) out += ",\"value\":" + JsonQuote(*op.value);
  if (op.compare_value) out += ",\"compare_value\":" + JsonQuote(*op.compare_value);
  if (op.result_present) out += ",\"result\":" + (op.result ? JsonQuote(*op.result) : "null");
  if (op.succeeded) out += std::string(",\"succeeded\":") + (*op.succeeded ? "true" : "false");
  if (op.revision) out += fmt::format(",\"revision\":{}", *op.revision);
  if (op.deleted) out += fmt::format(",\"deleted\":{}", *op.deleted);
  if (!op.error.empty()) out += ",\"error\":" + JsonQuote(op.error);
  return out + "}";
}

std::string ToJsonLines(const std::vector<HistoryOp>& ops) {
  std::string out;
  for (const HistoryOp& op : ops) out += ToJsonLine(op) + "\n";
  return out;
}

namespace {

const char* KindName(checker::WatchRecord::Kind kind) {
  switch (kind) {
    case checker::WatchRecord::Kind::kCreated: return "created";
    case checker::WatchRecord::Kind::kEvents: return "events";
    case checker::WatchRecord::Kind::kCompacted: return "compacted";
    case checker::WatchRecord::Kind::kCanceled: return "canceled";
    case checker::WatchRecord::Kind::kBroken: return "broken";
    case checker::WatchRecord::Kind::kProgress: return "progress";
  }
  return "?";
}

std::string KvJson(const checker::KeyValueView& kv) {
  return fmt::format("{{\"key\":{},\"value\":{},\"mod_revision\":{},\"create_revision\":{},"
                     "\"version\":{},\"lease\":{}}}",
                     JsonQuote(kv.key), JsonQuote(kv.value), kv.mod_revision, kv.create_revision,
                     kv.version, kv.lease);
}

std::string WatchLine(const checker::WatchStream& s, const checker::WatchRecord& r) {
  std::string out = fmt::format(
      "{{\"record\":\"watch\",\"client\":{},\"key\":{},\"range_end\":{},\"prev_kv\":{},"
      "\"progress_notify\":{},\"filters\":[{}],"
      "\"kind\":\"{}\",\"time_ns\":{},\"node\":{},\"watch_id\":{},\"header_revision\":{}",
      s.client, JsonQuote(s.key), JsonQuote(s.range_end), s.prev_kv ? "true" : "false",
      s.progress_notify ? "true" : "false",
      s.no_put && s.no_delete ? "\"NOPUT\",\"NODELETE\""
                              : (s.no_put ? "\"NOPUT\"" : (s.no_delete ? "\"NODELETE\"" : "")),
      KindName(r.kind), r.time_ns, r.node, r.watch_id, r.header_revision);
  if (r.kind == checker::WatchRecord::Kind::kCreated) {
    out += fmt::format(",\"requested_start\":{}", r.requested_start);
  }
  if (r.kind == checker::WatchRecord::Kind::kCompacted) {
    out += fmt::format(",\"compact_revision\":{}", r.compact_revision);
  }
  if (r.kind == checker::WatchRecord::Kind::kEvents) {
    out += fmt::format(",\"fragment\":{},\"events\":[", r.fragment ? "true" : "false");
    for (size_t i = 0; i < r.events.size(); ++i) {
      const checker::WatchEventView& e = r.events[i];
      out += fmt::format("{}{{\"type\":\"{}\",\"kv\":{}", i == 0 ? "" : ",",
                         e.is_delete ? "DELETE" : "PUT", KvJson(e.kv));
      if (e.prev_kv) out += ",\"prev_kv\":" + KvJson(*e.prev_kv);
      out += "}";
    }
    out += "]";
  }
  if (!r.reason.empty()) out += ",\"reason\":" + JsonQuote(r.reason);
  return out + "}";
}

}  // namespace

std::string ToJsonLines(const std::vector<checker::WatchStream>& streams) {
  std::string out;
  for (const checker::WatchStream& s : streams) {
    for (const checker::WatchRecord& r : s.records) out += WatchLine(s, r) + "\n";
  }
  return out;
}

std::string ToJsonLines(const std::vector<checker::AuxOp>& ops, const std::string& record) {
  std::string out;
  for (const checker::AuxOp& op : ops) {
    out += fmt::format(
        "{{\"record\":{},\"client\":{},\"op_id\":{},\"f\":{},\"node\":{},\"invoke_ns\":{},"
        "\"return_ns\":{},\"status\":{},\"lease\":{},\"ttl\":{}",
        JsonQuote(record), op.client, op.op_id, JsonQuote(op.f), op.node, op.invoke_ns,
        op.return_ns ? std::to_string(*op.return_ns) : "null", JsonQuote(op.status), op.lease,
        op.ttl_seconds);
    if (!op.key.empty()) out += ",\"key\":" + JsonQuote(op.key) + ",\"value\":" + JsonQuote(op.value);
    if (op.revision) out += fmt::format(",\"revision\":{}", *op.revision);
    if (!op.error.empty()) out += ",\"error\":" + JsonQuote(op.error);
    out += "}\n";
  }
  return out;
}

}  // namespace raftlab::sim
