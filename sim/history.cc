#include "sim/history.h"

#include "checker/json.h"

namespace raftlab::sim {

using checker::json::Out;

std::string ToJsonLine(const HistoryOp& op) {
  Out out;
  out.w.StartObject();
  out.Uint("client", op.client);
  out.Uint("op_id", op.op_id);
  out.Uint("invoke_ns", op.invoke_ns);
  out.UintOrNull("return_ns", op.return_ns);
  out.Text("status", op.status);
  out.Text("f", op.f);
  out.Bytes("key", op.key);
  if (op.value) out.Bytes("value", *op.value);
  if (op.compare_value) {
    out.Bytes("compare_value", *op.compare_value);
  } else if (op.compare_absent) {
    out.Key("compare_value");
    out.Null();
  }
  if (op.result_present) {
    out.Key("result");
    if (op.result) {
      out.Bytes(*op.result);
    } else {
      out.Null();
    }
  }
  if (op.succeeded) out.Bool("succeeded", *op.succeeded);
  if (op.revision) out.Int("revision", *op.revision);
  if (op.deleted) out.Int("deleted", *op.deleted);
  if (!op.error.empty()) out.Text("error", op.error);
  out.w.EndObject();
  return out.str();
}

std::string ToJsonLines(const std::vector<HistoryOp>& ops) {
  std::string out;
  for (const HistoryOp& op : ops) {
    out += ToJsonLine(op);
    out += '\n';
  }
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

void WriteKv(Out& out, const checker::KeyValueView& kv) {
  out.w.StartObject();
  out.Bytes("key", kv.key);
  out.Bytes("value", kv.value);
  out.Int("mod_revision", kv.mod_revision);
  out.Int("create_revision", kv.create_revision);
  out.Int("version", kv.version);
  out.Int("lease", kv.lease);
  out.w.EndObject();
}

std::string WatchLine(const checker::WatchStream& s, const checker::WatchRecord& r) {
  Out out;
  out.w.StartObject();
  out.Text("record", "watch");
  out.Uint("client", s.client);
  out.Bytes("key", s.key);
  out.Bytes("range_end", s.range_end);
  out.Bool("prev_kv", s.prev_kv);
  out.Bool("progress_notify", s.progress_notify);
  out.Key("filters");
  out.w.StartArray();
  if (s.no_put) out.Text("NOPUT");
  if (s.no_delete) out.Text("NODELETE");
  out.w.EndArray();
  out.Text("kind", KindName(r.kind));
  out.Uint("time_ns", r.time_ns);
  out.Uint("node", r.node);
  out.Int("watch_id", r.watch_id);
  out.Int("header_revision", r.header_revision);
  if (r.kind == checker::WatchRecord::Kind::kCreated) {
    out.Int("requested_start", r.requested_start);
  }
  if (r.kind == checker::WatchRecord::Kind::kCompacted) {
    out.Int("compact_revision", r.compact_revision);
  }
  if (r.kind == checker::WatchRecord::Kind::kEvents) {
    out.Bool("fragment", r.fragment);
    out.Key("events");
    out.w.StartArray();
    for (const checker::WatchEventView& e : r.events) {
      out.w.StartObject();
      out.Text("type", e.is_delete ? "DELETE" : "PUT");
      out.Key("kv");
      WriteKv(out, e.kv);
      if (e.prev_kv) {
        out.Key("prev_kv");
        WriteKv(out, *e.prev_kv);
      }
      out.w.EndObject();
    }
    out.w.EndArray();
  }
  if (!r.reason.empty()) out.Text("reason", r.reason);
  out.w.EndObject();
  return out.str();
}

}  // namespace

std::string ToJsonLines(const std::vector<checker::WatchStream>& streams) {
  std::string out;
  for (const checker::WatchStream& s : streams) {
    for (const checker::WatchRecord& r : s.records) {
      out += WatchLine(s, r);
      out += '\n';
    }
  }
  return out;
}

std::string ToJsonLines(const std::vector<checker::AuxOp>& ops, const std::string& record) {
  std::string lines;
  for (const checker::AuxOp& op : ops) {
    Out out;
    out.w.StartObject();
    out.Text("record", record);
    out.Uint("client", op.client);
    out.Uint("op_id", op.op_id);
    out.Text("f", op.f);
    out.Uint("node", op.node);
    out.Uint("invoke_ns", op.invoke_ns);
    out.UintOrNull("return_ns", op.return_ns);
    out.Text("status", op.status);
    out.Int("lease", op.lease);
    out.Int("ttl", op.ttl_seconds);
    if (!op.key.empty()) {
      out.Bytes("key", op.key);
      out.Bytes("value", op.value);
    }
    if (op.revision) out.Int("revision", *op.revision);
    if (!op.error.empty()) out.Text("error", op.error);
    out.w.EndObject();
    lines += out.str();
    lines += '\n';
  }
  return lines;
}

}  // namespace raftlab::sim
