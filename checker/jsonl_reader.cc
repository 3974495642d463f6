#include "checker/jsonl_reader.h"

#include <array>
#include <set>

#include <fmt/format.h>

#include "checker/json.h"
#include "core/base/check.h"

namespace raftlab::checker {
namespace {

using Json = rapidjson::Value;

const Json* Find(const Json& object, std::string_view name) {
  const auto it = object.FindMember(
      rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view StringOf(const Json& v) { return {v.GetString(), v.GetStringLength()}; }

constexpr std::array<std::string_view, 18> kKnownMembers = {
    "client", "op_id", "invoke_ns", "return_ns", "status", "f", "key", "value", "compare_value",
    "result", "succeeded", "revision", "error", "mod_revision", "create_revision", "version",
    "lease", "deleted"};

class LineReader {
 public:
  LineReader(const std::string& source, uint32_t line) : source_(source), line_(line) {}

  Result<Operation> Read(const Json& object);

 private:
  tl::unexpected<Error> Fail(const std::string& what) const {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", source_, line_, what));
  }
  tl::unexpected<Error> Expected(std::string_view member, std::string_view what,
                                 const Json& found) const {
    return Fail(fmt::format("\"{}\": expected {}, found {}", member, what, json::Describe(found)));
  }
  Result<int64_t> Integer(const Json& object, std::string_view member, bool required,
                          int64_t fallback) const;
  Result<Value> ValueOf(const Json& object, std::string_view member, bool required) const;
  Result<void> ReadFunction(const Json& object, Operation* op) const;

  const std::string& source_;
  const uint32_t line_;
};

Result<int64_t> LineReader::Integer(const Json& object, std::string_view member, bool required,
                                    int64_t fallback) const {
  const Json* value = Find(object, member);
  if (value == nullptr) {
    if (required) return Fail(fmt::format("expected a \"{}\" member", member));
    return fallback;
  }
  if (!value->IsInt64() || value->GetInt64() < 0) {
    return Expected(member, "a non-negative integer (no fractions or exponents)", *value);
  }
  return value->GetInt64();
}

Result<Value> LineReader::ValueOf(const Json& object, std::string_view member,
                                  bool required) const {
  const Json* value = Find(object, member);
  if (value == nullptr) {
    if (required) return Fail(fmt::format("expected a \"{}\" member", member));
    return Value::Nil();
  }
  if (value->IsNull()) return Value::Nil();
  if (value->IsInt64()) return Value::Int(value->GetInt64());
  if (std::optional<std::string> bytes = json::BytesOf(*value)) return Value::String(*bytes);
  return Expected(member, "a string, {\"base64\": ...}, an integer or null", *value);
}

Result<void> LineReader::ReadFunction(const Json& object, Operation* op) const {
  const Json* f = Find(object, "f");
  if (f == nullptr) return Fail("expected an \"f\" member");
  const std::string_view name = f->IsString() ? StringOf(*f) : "";
  const bool ok = op->status == OpStatus::kOk;
  if (name == "get") {
    op->f = OpFunction::kRead;
    auto result = ValueOf(object, "result", ok);
    if (!result) return tl::unexpected(result.error());
    if (ok) op->output.push_back(std::move(*result));
  } else if (name == "put" || name == "append") {
    op->f = name == "put" ? OpFunction::kWrite : OpFunction::kAppend;
    auto value = ValueOf(object, "value", true);
    if (!value) return tl::unexpected(value.error());
    op->input.push_back(std::move(*value));
  } else if (name == "delete") {
    op->f = OpFunction::kDelete;
  } else if (name == "txn") {
    op->f = OpFunction::kCas;
    auto compare = ValueOf(object, "compare_value", true);
    if (!compare) return tl::unexpected(compare.error());
    auto value = ValueOf(object, "value", true);
    if (!value) return tl::unexpected(value.error());
    op->input = {std::move(*compare), std::move(*value)};
    const Json* succeeded = Find(object, "succeeded");
    if (ok && succeeded == nullptr) return Fail("expected a \"succeeded\" member for an ok txn");
    if (succeeded != nullptr && !succeeded->IsBool()) {
      return Expected("succeeded", "true or false", *succeeded);
    }
    op->succeeded = succeeded == nullptr || succeeded->GetBool();
  } else {
    return Expected("f", "\"get\", \"put\", \"append\", \"delete\" or \"txn\"", *f);
  }
  return {};
}

Result<Operation> LineReader::Read(const Json& object) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const std::string_view name = StringOf(it->name);
    bool known = false;
    for (std::string_view k : kKnownMembers) known = known || k == name;
    if (!known) return Fail(fmt::format("unexpected member \"{}\"", json::ToValidUtf8(name)));
  }
  Operation op;
  op.source_line = line_;
  const Json* client = Find(object, "client");
  if (client == nullptr) return Fail("expected a \"client\" member");
  if (!client->IsInt64()) return Expected("client", "an integer", *client);
  op.client = client->GetInt64();
  const Json* status = Find(object, "status");
  if (status == nullptr) return Fail("expected a \"status\" member");
  const std::string_view s = status->IsString() ? StringOf(*status) : "";
  if (s == "ok") {
    op.status = OpStatus::kOk;
  } else if (s == "fail") {
    op.status = OpStatus::kFail;
  } else if (s == "info") {
    op.status = OpStatus::kInfo;
  } else {
    return Expected("status", "\"ok\", \"fail\" or \"info\"", *status);
  }
  auto invoke = Integer(object, "invoke_ns", true, 0);
  if (!invoke) return tl::unexpected(invoke.error());
  op.invoke_ns = static_cast<uint64_t>(*invoke);
  const Json* ret = Find(object, "return_ns");
  if (ret == nullptr) return Fail("expected a \"return_ns\" member (null when indeterminate)");
  if (ret->IsNull()) {
    if (op.status != OpStatus::kInfo) {
      return Fail("\"return_ns\": null requires \"status\": \"info\"");
    }
  } else {
    auto value = Integer(object, "return_ns", true, 0);
    if (!value) return tl::unexpected(value.error());
    op.return_ns = static_cast<uint64_t>(*value);
    if (op.return_ns < op.invoke_ns) return Expected("return_ns", ">= invoke_ns", *ret);
  }
  const Json* key = Find(object, "key");
  if (key == nullptr) return Fail("expected a \"key\" member");
  std::optional<std::string> key_bytes = json::BytesOf(*key);
  if (!key_bytes) return Expected("key", "a string or {\"base64\": ...}", *key);
  op.key = std::move(*key_bytes);
  auto revision = Integer(object, "revision", false, -1);
  if (!revision) return tl::unexpected(revision.error());
  op.revision = *revision;
  auto deleted = Integer(object, "deleted", false, -1);
  if (!deleted) return tl::unexpected(deleted.error());
  op.deleted = *deleted;
  auto function = ReadFunction(object, &op);
  if (!function) return tl::unexpected(function.error());
  return op;
}

}  // namespace

Result<History> ReadJsonl(std::string_view text, const std::string& source) {
  History history;
  history.source = source;
  std::set<int64_t> op_ids;
  uint32_t line_number = 0;
  size_t start = 0;
  // One pool for every line: cleared, not freed, between lines.
  char pool_buffer[16 * 1024];
  rapidjson::MemoryPoolAllocator<> pool(pool_buffer, sizeof pool_buffer);
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    pool.Clear();
    rapidjson::Document parsed(&pool);
    const Status status = json::Parse(line, &parsed);
    const auto where = fmt::format("{}:{}", source, line_number);
    // "column C: ..." becomes "source:line:C: ...".
    if (!status) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ":" + status.error().message.substr(7));
    }
    if (!parsed.IsObject()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": expected a JSON object, found " + json::Describe(parsed));
    }
    // Watch streams, lease requests and compactions share the file (see
    // docs/formats.md); they are judged by sim_checks.h, not as operations.
    if (Find(parsed, "record") != nullptr) continue;
    auto op = LineReader(source, line_number).Read(parsed);
    if (!op) return tl::unexpected(op.error());
    if (const Json* id = Find(parsed, "op_id"); id != nullptr) {
      if (!id->IsInt64()) {
        return MakeError(ErrorCode::kInvalidArgument, where + ": \"op_id\": expected an integer");
      }
      if (!op_ids.insert(id->GetInt64()).second) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{}: \"op_id\": expected a unique id, {} repeats",
                                     where, id->GetInt64()));
      }
    }
    op->id = history.ops.size();
    history.ops.push_back(std::move(*op));
  }
  return history;
}

}  // namespace raftlab::checker
