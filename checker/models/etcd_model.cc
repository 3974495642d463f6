// The etcd model of SEMANTICS.md S9.2: one global revision; put, delete and a
// successful txn bump it; every response's header revision must equal the
// revision after the operation (reads and failed txns: the current one), and
// a delete's `deleted` count must be 1 if the key was present, else 0.
// Responses with an unknown revision or count (-1, e.g. indeterminate ops)
// skip that check.
#include <fmt/format.h>

#include "checker/models/model.h"
#include "core/base/check.h"

namespace raftlab::checker {
namespace {

constexpr size_t kFieldsPerKey = 4;  // value, create revision, mod revision, version

size_t Slot(uint32_t key) { return 1 + kFieldsPerKey * key; }

bool RevisionMatches(const CompiledOp& op, int64_t revision) {
  return op.revision < 0 || op.revision == revision;
}

// Puts `value` at `key` as revision fields[0] + 1.
void ApplyPut(std::vector<int64_t>* fields, uint32_t key, uint32_t value) {
  int64_t& revision = (*fields)[0];
  ++revision;
  const size_t slot = Slot(key);
  const bool absent = (*fields)[slot] == Model::kNilValue;
  (*fields)[slot] = value;
  if (absent) (*fields)[slot + 1] = revision;
  (*fields)[slot + 2] = revision;
  (*fields)[slot + 3] = absent ? 1 : (*fields)[slot + 3] + 1;
}

}  // namespace

size_t Model::FieldsHash::operator()(const std::vector<int64_t>& v) const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a over the fields
  for (int64_t x : v) {
    h ^= static_cast<uint64_t>(x);
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

Model::State Model::InternEtcd(std::vector<int64_t> fields) {
  auto [it, inserted] =
      etcd_state_ids_.try_emplace(fields, static_cast<uint32_t>(etcd_states_.size()));
  if (inserted) {
    memory_bytes_ += 24 * fields.size() + 160;  // two copies, node, bucket, slack
    etcd_states_.push_back(std::move(fields));
  }
  return it->second;
}

Model::State Model::InitialEtcd() {
  std::vector<int64_t> fields(1 + kFieldsPerKey * key_names_.size(), 0);
  fields[0] = 1;  // a fresh etcd cluster reports revision 1
  return InternEtcd(std::move(fields));
}

bool Model::StepEtcd(State state, const CompiledOp& op, State* next) {
  const std::vector<int64_t>& fields = etcd_states_[state];
  const int64_t revision = fields[0];
  const int64_t current = fields[Slot(op.key)];
  *next = state;
  switch (op.f) {
    case OpFunction::kRead:
      return current == op.a && RevisionMatches(op, revision);
    case OpFunction::kWrite: {
      if (!RevisionMatches(op, revision + 1)) return false;
      std::vector<int64_t> after = fields;
      ApplyPut(&after, op.key, op.a);
      *next = InternEtcd(std::move(after));
      return true;
    }
    case OpFunction::kDelete: {
      // One key: the count says whether it was present, which the revision
      // fast path relies on to know whether the delete bumped the revision.
      if (op.deleted >= 0 && op.deleted != (current == kNilValue ? 0 : 1)) return false;
      if (current == kNilValue) return RevisionMatches(op, revision);  // no revision bump
      if (!RevisionMatches(op, revision + 1)) return false;
      std::vector<int64_t> after = fields;
      after[0] = revision + 1;
      for (size_t i = 0; i < kFieldsPerKey; ++i) after[Slot(op.key) + i] = 0;
      *next = InternEtcd(std::move(after));
      return true;
    }
    case OpFunction::kCas: {
      // compare_value nil means "the key is absent".
      const bool holds = current == op.a;
      const bool applies = op.indeterminate ? holds : op.succeeded;
      if (!op.indeterminate && holds != op.succeeded) return false;
      if (!RevisionMatches(op, applies ? revision + 1 : revision)) return false;
      if (!applies) return true;
      std::vector<int64_t> after = fields;
      ApplyPut(&after, op.key, op.b);
      *next = InternEtcd(std::move(after));
      return true;
    }
    case OpFunction::kAppend:
      break;
  }
  UNREACHABLE();
}

std::string Model::DescribeEtcd(State state) const {
  const std::vector<int64_t>& fields = etcd_states_[state];
  std::string out = fmt::format("rev={}", fields[0]);
  for (uint32_t k = 0; k < key_names_.size(); ++k) {
    const size_t slot = Slot(k);
    if (fields[slot] == kNilValue) continue;
    out += fmt::format(" {}={}(create={} mod={} version={})", key_names_[k],
                       texts_[static_cast<size_t>(fields[slot])], fields[slot + 1],
                       fields[slot + 2], fields[slot + 3]);
  }
  return out;
}

}  // namespace raftlab::checker
