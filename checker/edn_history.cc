#include "checker/edn_history.h"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "checker/edn.h"
#include "core/base/check.h"

namespace raftlab::checker {
namespace {

using edn::Node;

enum class EventType { kInvoke, kOk, kFail, kInfo };

struct Event {
  EventType type = EventType::kInvoke;
  OpFunction f = OpFunction::kRead;
  int64_t process = 0;
  uint64_t time = 0;
  std::string key;
  Node value;
};

class EdnHistoryReader {
 public:
  EdnHistoryReader(const std::string& source, EdnDialect dialect)
      : source_(source), dialect_(dialect) {}

  Result<History> Read(std::string_view text);

 private:
  tl::unexpected<Error> Fail(const std::string& what) const {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", source_, line_, what));
  }
  // Moves :value out of `map` (the line's map is discarded afterwards).
  Result<std::optional<Event>> ParseEvent(Node& map);
  Result<void> ParseTime(const Node& map, Event* event);
  Result<OpFunction> ParseFunction(const Node* f) const;
  Result<void> SplitTuple(Event* event) const;
  Result<Value> ToValue(const Node& node, const char* field) const;
  Result<void> Apply(Event event);
  Result<void> FillInvocation(const Event& event, Operation* op) const;

  const std::string& source_;
  const EdnDialect dialect_;
  uint32_t line_ = 0;
  std::optional<bool> has_time_;  // decided by the first event
  uint64_t last_time_ = 0;
  History history_;
  std::map<int64_t, size_t> outstanding_;  // process -> index in history_.ops
};

Result<History> EdnHistoryReader::Read(std::string_view text) {
  history_.source = source_;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_;
    if (line.find_first_not_of(" \t\r,") == std::string_view::npos) continue;
    auto node = edn::ParseLine(line);
    if (!node) {
      // "column C: expected ..." becomes "FILE:LINE:C: expected ...".
      const std::string& message = node.error().message;
      const std::string prefix = "column ";
      const bool has_column = message.rfind(prefix, 0) == 0;
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}:{}:{}", source_, line_,
                                   has_column ? message.substr(prefix.size()) : " " + message));
    }
    if (node->kind != Node::Kind::kMap) return Fail("expected a map {...}, found " +
                                                    node->Describe());
    auto event = ParseEvent(*node);
    if (!event) return tl::unexpected(event.error());
    if (!event->has_value()) continue;  // a nemesis line
    auto applied = Apply(std::move(**event));
    if (!applied) return tl::unexpected(applied.error());
  }
  // Invocations that never completed stay indeterminate (status kInfo).
  return std::move(history_);
}

Result<std::optional<Event>> EdnHistoryReader::ParseEvent(Node& map) {
  Event event;
  const Node* process = map.Find("process");
  if (process == nullptr) return Fail("expected a :process field");
  if (process->kind == Node::Kind::kKeyword) return std::optional<Event>();
  if (process->kind != Node::Kind::kInt) {
    return Fail(":process: expected an integer, found " + process->Describe());
  }
  event.process = process->integer;
  const Node* type = map.Find("type");
  if (type == nullptr) return Fail("expected a :type field");
  if (type->IsKeyword("invoke")) {
    event.type = EventType::kInvoke;
  } else if (type->IsKeyword("ok")) {
    event.type = EventType::kOk;
  } else if (type->IsKeyword("fail")) {
    event.type = EventType::kFail;
  } else if (type->IsKeyword("info")) {
    event.type = EventType::kInfo;
  } else {
    return Fail(":type: expected :invoke, :ok, :fail or :info, found " + type->Describe());
  }
  auto f = ParseFunction(map.Find("f"));
  if (!f) return tl::unexpected(f.error());
  event.f = *f;
  if (const Node* key = map.Find("key"); key != nullptr) {
    if (key->kind == Node::Kind::kString) {
      event.key = key->text;
    } else if (key->kind == Node::Kind::kInt) {
      event.key = std::to_string(key->integer);
    } else {
      return Fail(":key: expected a string or an integer, found " + key->Describe());
    }
  } else if (dialect_ == EdnDialect::kPorcupineKv) {
    return Fail("expected a :key field (Porcupine kv logs are keyed)");
  }
  if (Node* value = map.FindMutable("value"); value != nullptr) {
    event.value = std::move(*value);  // the line's map is discarded after this
  }
  if (dialect_ == EdnDialect::kJepsen && map.Find("key") == nullptr) {
    auto split = SplitTuple(&event);
    if (!split) return tl::unexpected(split.error());
  }
  auto time = ParseTime(map, &event);
  if (!time) return tl::unexpected(time.error());
  return std::optional<Event>(std::move(event));
}

Result<void> EdnHistoryReader::ParseTime(const Node& map, Event* event) {
  const Node* time = map.Find("time");
  if (!has_time_.has_value()) has_time_ = time != nullptr;
  if (*has_time_) {
    if (time == nullptr) return Fail("expected a :time field (earlier lines have one)");
    if (time->kind != Node::Kind::kInt || time->integer < 0) {
      return Fail(":time: expected a non-negative integer, found " + time->Describe());
    }
    event->time = static_cast<uint64_t>(time->integer);
  } else {
    if (time != nullptr) return Fail("unexpected :time field (the first line has none)");
    event->time = line_;
  }
  if (event->time < last_time_) {
    return Fail(fmt::format(":time: expected a time >= {} (times never decrease), found {}",
                            last_time_, event->time));
  }
  last_time_ = event->time;
  return {};
}

Result<OpFunction> EdnHistoryReader::ParseFunction(const Node* f) const {
  if (f == nullptr) return Fail("expected an :f field");
  if (dialect_ == EdnDialect::kJepsen) {
    if (f->IsKeyword("read")) return OpFunction::kRead;
    if (f->IsKeyword("write")) return OpFunction::kWrite;
    if (f->IsKeyword("cas")) return OpFunction::kCas;
    return Fail(":f: expected :read, :write or :cas, found " + f->Describe());
  }
  if (f->IsKeyword("get")) return OpFunction::kRead;
  if (f->IsKeyword("put")) return OpFunction::kWrite;
  if (f->IsKeyword("append")) return OpFunction::kAppend;
  return Fail(":f: expected :get, :put or :append, found " + f->Describe());
}

// jepsen.independent: :value [k v], where v is [old new] for a cas.
Result<void> EdnHistoryReader::SplitTuple(Event* event) const {
  const Node& value = event->value;
  if (value.kind != Node::Kind::kVector || value.items.size() != 2) return {};
  const bool inner_vector = value.items[1].kind == Node::Kind::kVector;
  if (event->f == OpFunction::kCas && !inner_vector) return {};  // a plain [old new]
  const Node& key = value.items[0];
  if (key.kind == Node::Kind::kInt) {
    event->key = std::to_string(key.integer);
  } else if (key.kind == Node::Kind::kString) {
    event->key = key.text;
  } else {
    return Fail(":value: expected a tuple key (integer or string), found " + key.Describe());
  }
  Node inner = std::move(event->value.items[1]);
  event->value = std::move(inner);
  return {};
}

Result<Value> EdnHistoryReader::ToValue(const Node& node, const char* field) const {
  switch (node.kind) {
    case Node::Kind::kNil: return Value::Nil();
    case Node::Kind::kInt: return Value::Int(node.integer);
    case Node::Kind::kString: return Value::String(node.text);
    default:
      return Fail(fmt::format("{}: expected nil, an integer or a string, found {}", field,
                              node.Describe()));
  }
}

Result<void> EdnHistoryReader::FillInvocation(const Event& event, Operation* op) const {
  op->client = event.process;
  op->invoke_ns = event.time;
  op->f = event.f;
  op->key = event.key;
  op->source_line = line_;
  op->status = OpStatus::kInfo;  // until a completion arrives
  if (event.f == OpFunction::kRead) return {};
  if (event.f == OpFunction::kCas) {
    const Node& v = event.value;
    if (v.kind != Node::Kind::kVector || v.items.size() != 2) {
      return Fail(":value: expected [old new] for :cas, found " + v.Describe());
    }
    for (const Node& item : v.items) {
      auto value = ToValue(item, ":value");
      if (!value) return tl::unexpected(value.error());
      op->input.push_back(std::move(*value));
    }
    return {};
  }
  auto value = ToValue(event.value, ":value");
  if (!value) return tl::unexpected(value.error());
  op->input.push_back(std::move(*value));
  return {};
}

Result<void> EdnHistoryReader::Apply(Event event) {
  auto it = outstanding_.find(event.process);
  if (event.type == EventType::kInvoke) {
    if (it != outstanding_.end()) {
      return Fail(fmt::format("expected a completion for process {} (invoked on line {}) "
                              "before its next invocation",
                              event.process, history_.ops[it->second].source_line));
    }
    Operation op;
    op.id = history_.ops.size();
    auto filled = FillInvocation(event, &op);
    if (!filled) return filled;
    outstanding_[event.process] = history_.ops.size();
    history_.ops.push_back(std::move(op));
    return {};
  }
  if (it == outstanding_.end()) {
    return Fail(fmt::format("expected an invocation for process {} before this completion",
                            event.process));
  }
  Operation& op = history_.ops[it->second];
  outstanding_.erase(it);
  if (op.f != event.f || op.key != event.key) {
    return Fail(fmt::format("expected :f :{} on key \"{}\" completing line {}, found :{} \"{}\"",
                            OpFunctionName(op.f), op.key, op.source_line,
                            OpFunctionName(event.f), event.key));
  }
  op.return_ns = event.time;
  op.source_line = line_;
  if (event.type == EventType::kOk) {
    op.status = OpStatus::kOk;
    if (op.f == OpFunction::kRead) {
      auto value = ToValue(event.value, ":value");
      if (!value) return tl::unexpected(value.error());
      op.output.push_back(std::move(*value));
    }
  } else {
    op.status = event.type == EventType::kFail ? OpStatus::kFail : OpStatus::kInfo;
  }
  if (op.status == OpStatus::kInfo) op.return_ns = kInfinity;
  return {};
}

}  // namespace

Result<History> ReadEdnHistory(std::string_view text, const std::string& source,
                               EdnDialect dialect) {
  EdnHistoryReader reader(source, dialect);
  return reader.Read(text);
}

}  // namespace raftlab::checker
