#include "sim/history.h"

#include "checker/json.h"

namespace raftlab::sim {

using checker::json::Out;

std::string ToJsonLine(const HistoryOp& op) {
  Out out;
  out.w.StartObject();
  out.Key("client");
  out.Uint(op.client);
  out.Key("op_id");
  out.Uint(op.op_id);
  out.Key("invoke_ns");
  out.Uint(op.invoke_ns);
  out.Key("return_ns");
  if (op.return_ns) {
    out.Uint(*op.return_ns);
  } else {
    out.Null();
  }
  out.Key("status");
  out.Text(op.status);
  out.Key("f");
  out.Text(op.f);
  out.Key("key");
  out.Bytes(op.key);
  if (op.value) {
    out.Key("value");
    out.Bytes(*op.value);
  }
  if (op.compare_value) {
    out.Key("compare_value");
    out.Bytes(*op.compare_value);
  }
  if (op.result_present) {
    out.Key("result");
    if (op.result) {
      out.Bytes(*op.result);
    } else {
      out.Null();
    }
  }
  if (op.succeeded) {
    out.Key("succeeded");
    out.Bool(*op.succeeded);
  }
  if (op.revision) {
    out.Key("revision");
    out.Int(*op.revision);
  }
  if (op.deleted) {
    out.Key("deleted");
    out.Int(*op.deleted);
  }
  if (!op.error.empty()) {
    out.Key("error");
    out.Text(op.error);
  }
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
  out.Key("key");
  out.Bytes(kv.key);
  out.Key("value");
  out.Bytes(kv.value);
  out.Key("mod_revision");
  out.Int(kv.mod_revision);
  out.Key("create_revision");
  out.Int(kv.create_revision);
  out.Key("version");
  out.Int(kv.version);
  out.Key("lease");
  out.Int(kv.lease);
  out.w.EndObject();
}

std::string WatchLine(const checker::WatchStream& s, const checker::WatchRecord& r) {
  Out out;
  out.w.StartObject();
  out.Key("record");
  out.Text("watch");
  out.Key("client");
  out.Uint(s.client);
  out.Key("key");
  out.Bytes(s.key);
  out.Key("range_end");
  out.Bytes(s.range_end);
  out.Key("prev_kv");
  out.Bool(s.prev_kv);
  out.Key("progress_notify");
  out.Bool(s.progress_notify);
  out.Key("filters");
  out.w.StartArray();
  if (s.no_put) out.Text("NOPUT");
  if (s.no_delete) out.Text("NODELETE");
  out.w.EndArray();
  out.Key("kind");
  out.Text(KindName(r.kind));
  out.Key("time_ns");
  out.Uint(r.time_ns);
  out.Key("node");
  out.Uint(r.node);
  out.Key("watch_id");
  out.Int(r.watch_id);
  out.Key("header_revision");
  out.Int(r.header_revision);
  if (r.kind == checker::WatchRecord::Kind::kCreated) {
    out.Key("requested_start");
    out.Int(r.requested_start);
  }
  if (r.kind == checker::WatchRecord::Kind::kCompacted) {
    out.Key("compact_revision");
    out.Int(r.compact_revision);
  }
  if (r.kind == checker::WatchRecord::Kind::kEvents) {
    out.Key("fragment");
    out.Bool(r.fragment);
    out.Key("events");
    out.w.StartArray();
    for (const checker::WatchEventView& e : r.events) {
      out.w.StartObject();
      out.Key("type");
      out.Text(e.is_delete ? "DELETE" : "PUT");
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
  if (!r.reason.empty()) {
    out.Key("reason");
    out.Text(r.reason);
  }
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
    out.Key("record");
    out.Text(record);
    out.Key("client");
    out.Uint(op.client);
    out.Key("op_id");
    out.Uint(op.op_id);
    out.Key("f");
    out.Text(op.f);
    out.Key("node");
    out.Uint(op.node);
    out.Key("invoke_ns");
    out.Uint(op.invoke_ns);
    out.Key("return_ns");
    if (op.return_ns) {
      out.Uint(*op.return_ns);
    } else {
      out.Null();
    }
    out.Key("status");
    out.Text(op.status);
    out.Key("lease");
    out.Int(op.lease);
    out.Key("ttl");
    out.Int(op.ttl_seconds);
    if (!op.key.empty()) {
      out.Key("key");
      out.Bytes(op.key);
      out.Key("value");
      out.Bytes(op.value);
    }
    if (op.revision) {
      out.Key("revision");
      out.Int(*op.revision);
    }
    if (!op.error.empty()) {
      out.Key("error");
      out.Text(op.error);
    }
    out.w.EndObject();
    lines += out.str();
    lines += '\n';
  }
  return lines;
}

}  // namespace raftlab::sim
