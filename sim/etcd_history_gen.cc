#include "sim/etcd_history_gen.h"

#include <algorithm>

#include <fmt/format.h>

#include "checker/json.h"
#include "core/base/check.h"
#include "sim/history.h"

namespace raftlab::sim {

using checker::OpFunction;
using checker::OpStatus;
using checker::Operation;
using checker::Value;

void SequentialEtcd::Apply(Operation* op) {
  auto found = values_.find(op->key);
  const bool present = found != values_.end();
  const Value current = present ? found->second : Value::Nil();
  bool bumped = false;
  if (op->f == OpFunction::kRead) {
    op->output = {current};
  } else if (op->f == OpFunction::kWrite) {
    values_[op->key] = op->input[0];
    bumped = true;
  } else if (op->f == OpFunction::kDelete) {
    op->deleted = present ? 1 : 0;
    if (present) values_.erase(found);
    bumped = present;
  } else {
    CHECK(op->f == OpFunction::kCas);
    op->succeeded = current == op->input[0];  // a failed txn is still an ok response
    if (op->succeeded) values_[op->key] = op->input[1];
    bumped = op->succeeded;
  }
  if (bumped) {
    ++revision_;
    before_.emplace_back(op->key, current);
  }
  op->revision = revision_;
}

EtcdClients::EtcdClients(Choices& choices, const EtcdClientsOptions& options)
    : choices_(choices), options_(options),
      fresh_client_(std::max<int64_t>(100, options.clients)) {
  CHECK_GE(options.clients, 1u);
  CHECK_GE(options.keys, 1u);
  CHECK_GE(options.timeout_one_in, 1u);
  pending_.resize(options.clients);
  for (uint32_t c = 0; c < options.clients; ++c) client_ids_.push_back(c);
}

Operation EtcdClients::NewOp(uint32_t client) {
  Operation op;
  op.client = client_ids_[client];
  op.invoke_ns = now_ * options_.tick_ns;
  op.key = "k" + std::to_string(choices_.Draw(options_.keys));
  const uint32_t f = choices_.Draw(4);
  const Value value = options_.unique_values ? Value::String("v" + std::to_string(next_value_++))
                                             : Value::Int(choices_.Draw(3));
  if (f == 0) {
    op.f = OpFunction::kRead;
  } else if (f == 1) {
    op.f = OpFunction::kWrite;
    op.input = {value};
  } else if (f == 2) {
    op.f = OpFunction::kCas;
    const std::vector<Value>& older = written_[op.key];
    const size_t window = options_.txn_compare_recent == 0
                              ? older.size()
                              : std::min<size_t>(older.size(), options_.txn_compare_recent);
    const uint32_t pick = choices_.Draw(static_cast<uint32_t>(window) + 1);
    op.input = {pick == window ? Value::Nil() : older[older.size() - window + pick], value};
  } else {
    op.f = OpFunction::kDelete;
  }
  if (op.f == OpFunction::kWrite || op.f == OpFunction::kCas) {
    std::vector<Value>& older = written_[op.key];
    older.push_back(value);
    // Only the recent ones are ever compared against: keep memory flat.
    const size_t keep = options_.txn_compare_recent;
    if (keep != 0 && older.size() > 2 * keep) older.erase(older.begin(), older.end() - keep);
  }
  return op;
}

void EtcdClients::Finish(uint32_t client, OpStatus status) {
  Pending pending = std::move(*pending_[client]);
  pending_[client].reset();
  Operation op = std::move(pending.op);
  op.id = history_.ops.size();
  op.status = status;
  if (status != OpStatus::kInfo) {
    op.return_ns = now_ * options_.tick_ns;
    history_.ops.push_back(std::move(op));
    return;
  }
  op.return_ns = checker::kInfinity;
  op.revision = -1;
  op.deleted = -1;
  history_.ops.push_back(op);
  client_ids_[client] = fresh_client_++;
  // Still in flight: it may take effect later.
  if (!pending.applied && choices_.Draw(2) == 0) orphans_.push_back(std::move(op));
}

void EtcdClients::StepOrphan() {
  if (orphans_.empty()) return;
  const uint32_t pick = choices_.Draw(static_cast<uint32_t>(orphans_.size()));
  Operation op = std::move(orphans_[pick]);
  orphans_.erase(orphans_.begin() + pick);
  if (choices_.Draw(3) != 0) store_.Apply(&op);  // else lost for good
}

checker::History EtcdClients::Run(size_t max_ops) {
  const uint32_t clients = options_.clients;
  while (!choices_.Exhausted() && history_.ops.size() < max_ops) {
    ++now_;
    const uint32_t c = choices_.Draw(clients + 1);
    if (c == clients) {
      StepOrphan();
    } else if (!pending_[c].has_value()) {
      pending_[c] = Pending{NewOp(c), false};
    } else if (pending_[c]->applied) {
      const bool timeout = choices_.Draw(options_.timeout_one_in) == 0;
      Finish(c, timeout ? OpStatus::kInfo : OpStatus::kOk);
    } else if (choices_.Draw(options_.timeout_one_in) == 0) {
      Finish(c, OpStatus::kInfo);
    } else if (options_.fail_one_in != 0 && choices_.Draw(options_.fail_one_in) == 0) {
      Finish(c, OpStatus::kFail);  // a definite error: no effect
    } else {
      store_.Apply(&pending_[c]->op);  // the linearization point
      pending_[c]->applied = true;
    }
  }
  for (uint32_t c = 0; c < clients; ++c) {
    if (pending_[c].has_value()) Finish(c, OpStatus::kInfo);
  }
  history_.source = "generated";
  return history_;
}

std::optional<size_t> EtcdClients::InjectStaleRead(checker::History* history,
                                                   size_t from) const {
  std::vector<Operation>& ops = history->ops;
  for (size_t i = from; i < ops.size(); ++i) {
    Operation& read = ops[i];
    if (read.f != OpFunction::kRead || read.status != OpStatus::kOk) continue;
    // Ops are recorded as they complete, so an op that returned before the
    // read was invoked comes earlier; the nearest such write will do.
    for (size_t j = i; j-- > 0;) {
      const Operation& w = ops[j];
      if (w.key != read.key || w.status != OpStatus::kOk || w.return_ns >= read.invoke_ns) {
        continue;
      }
      const bool bumped = w.f == OpFunction::kWrite || (w.f == OpFunction::kCas && w.succeeded) ||
                          (w.f == OpFunction::kDelete && w.deleted == 1);
      if (!bumped) continue;
      const auto& [key, before] = store_.Before(w.revision);
      CHECK_EQ(key, read.key);
      read.output = {before};
      read.revision = w.revision - 1;
      return i;
    }
  }
  return std::nullopt;
}

namespace {

void WriteValue(checker::json::Out& out, const Value& value) {
  switch (value.kind) {
    case Value::Kind::kNil: out.Null(); return;
    case Value::Kind::kInt: out.Int(value.integer); return;
    case Value::Kind::kString: out.Bytes(value.text); return;
  }
  out.Null();
}

const char* FunctionName(OpFunction f) {
  switch (f) {
    case OpFunction::kRead: return "get";
    case OpFunction::kWrite: return "put";
    case OpFunction::kCas: return "txn";
    case OpFunction::kAppend: return "append";
    case OpFunction::kDelete: return "delete";
  }
  return "?";
}

void WriteOperation(checker::json::Out& out, const Operation& op) {
  const bool ok = op.status == OpStatus::kOk;
  out.w.StartObject();
  out.Int("client", op.client);
  out.Uint("op_id", op.id);
  out.Uint("invoke_ns", op.invoke_ns);
  out.Key("return_ns");
  if (op.return_ns == checker::kInfinity) {
    out.Null();
  } else {
    out.Uint(op.return_ns);
  }
  out.Text("status", checker::OpStatusName(op.status));
  out.Text("f", FunctionName(op.f));
  out.Bytes("key", op.key);
  if (op.f == OpFunction::kCas) {
    out.Key("compare_value");
    WriteValue(out, op.input[0]);
  }
  if (op.f == OpFunction::kWrite || op.f == OpFunction::kAppend) {
    out.Key("value");
    WriteValue(out, op.input[0]);
  }
  if (op.f == OpFunction::kCas) {
    out.Key("value");
    WriteValue(out, op.input[1]);
  }
  if (ok && op.f == OpFunction::kRead) {
    out.Key("result");
    WriteValue(out, op.output[0]);
  }
  if (ok && op.f == OpFunction::kCas) {
    out.Bool("succeeded", op.succeeded);
  }
  if (ok && op.f == OpFunction::kDelete && op.deleted >= 0) {
    out.Int("deleted", op.deleted);
  }
  if (ok && op.revision >= 0) {
    out.Int("revision", op.revision);
  }
  out.w.EndObject();
}

}  // namespace

std::string ToJsonLines(const checker::History& history) {
  std::string lines;
  for (const Operation& op : history.ops) {
    checker::json::Out out;
    WriteOperation(out, op);
    lines += out.view();
    lines += '\n';
  }
  return lines;
}

}  // namespace raftlab::sim
