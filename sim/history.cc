#include "sim/history.h"

#include <fmt/format.h>

namespace raftlab::sim {
namespace {

std::string Quote(const std::string& s) {
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

}  // namespace

std::string ToJsonLine(const HistoryOp& op) {
  std::string out = fmt::format("{{\"client\":{},\"op_id\":{},\"invoke_ns\":{},\"return_ns\":{}",
                                op.client, op.op_id, op.invoke_ns,
                                op.return_ns ? std::to_string(*op.return_ns) : "null");
  out += ",\"status\":" + Quote(op.status) + ",\"f\":" + Quote(op.f) + ",\"key\":" + Quote(op.key);
  if (op.value) out += ",\"value\":" + Quote(*op.value);
  if (op.compare_value) out += ",\"compare_value\":" + Quote(*op.compare_value);
  if (op.result_present) out += ",\"result\":" + (op.result ? Quote(*op.result) : "null");
  if (op.succeeded) out += std::string(",\"succeeded\":") + (*op.succeeded ? "true" : "false");
  if (op.revision) out += fmt::format(",\"revision\":{}", *op.revision);
  if (op.deleted) out += fmt::format(",\"deleted\":{}", *op.deleted);
  if (!op.error.empty()) out += ",\"error\":" + Quote(op.error);
  return out + "}";
}

std::string ToJsonLines(const std::vector<HistoryOp>& ops) {
  std::string out;
  for (const HistoryOp& op : ops) out += ToJsonLine(op) + "\n";
  return out;
}

}  // namespace raftlab::sim
