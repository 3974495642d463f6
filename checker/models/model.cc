#include "checker/models/model.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::checker {
namespace {

__extension__ typedef unsigned __int128 U128;  // silences -Wpedantic
constexpr uint64_t kPrime = (uint64_t{1} << 61) - 1;
constexpr uint64_t kBase = 0x1F3D5B79A3C1E5ull % kPrime;

uint64_t MulMod(uint64_t a, uint64_t b) {
  const U128 product = static_cast<U128>(a) * b;
  uint64_t r = static_cast<uint64_t>(product & kPrime) + static_cast<uint64_t>(product >> 61);
  if (r >= kPrime) r -= kPrime;
  return r;
}

uint64_t AddMod(uint64_t a, uint64_t b) {
  uint64_t r = a + b;
  if (r >= kPrime) r -= kPrime;
  return r;
}

}  // namespace

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kRegister: return "register";
    case ModelKind::kCasRegister: return "cas-register";
    case ModelKind::kKv: return "kv";
    case ModelKind::kEtcd: return "etcd";
  }
  UNREACHABLE();
}

Model::Model(ModelKind kind) : kind_(kind) {
  // Register values render as EDN (nil, 3, "s"); kv values are raw strings with nil == "".
  const uint32_t nil = InternText(kind == ModelKind::kKv ? "" : "nil");
  CHECK_EQ(nil, kNilValue);
  if (kind == ModelKind::kKv) trie_.push_back(TrieEntry{kNoNode, nil, 0, 0, kNoNode, kNoNode});
}

uint32_t Model::InternText(std::string text) {
  auto [it, inserted] = text_ids_.try_emplace(text, static_cast<uint32_t>(texts_.size()));
  if (inserted) {
    memory_bytes_ += 2 * text.size() + 80;
    TextInfo info{0, 1};
    for (unsigned char c : text) {
      info.hash = AddMod(MulMod(info.hash, kBase), c + 1);
      info.power = MulMod(info.power, kBase);
    }
    text_info_.push_back(info);
    texts_.push_back(std::move(text));
  }
  return it->second;
}

uint32_t Model::InternValue(const Value& value) {
  if (kind_ == ModelKind::kKv) {
    switch (value.kind) {
      case Value::Kind::kNil: return kNilValue;
      case Value::Kind::kInt: return InternText(std::to_string(value.integer));
      case Value::Kind::kString: return InternText(value.text);
    }
  }
  return InternText(value.ToString());
}

Result<CompiledOp> Model::Compile(const Operation& op, const std::string& source) {
  const bool kv = kind_ == ModelKind::kKv;
  const bool cas_ok = kind_ == ModelKind::kCasRegister || kind_ == ModelKind::kEtcd;
  const bool supported = op.f == OpFunction::kRead || op.f == OpFunction::kWrite ||
                         op.f == OpFunction::kDelete || (op.f == OpFunction::kCas && cas_ok) ||
                         (op.f == OpFunction::kAppend && kv);
  if (!supported) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}:{}: the {} model has no '{}' operation", source,
                                 op.source_line, ModelKindName(kind_), OpFunctionName(op.f)));
  }
  const bool nil_put = op.f == OpFunction::kWrite && !op.input.empty() && op.input[0].IsNil();
  if (kind_ == ModelKind::kEtcd && nil_put) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}:{}: the etcd model needs a value for 'put'", source,
                                 op.source_line));
  }
  CompiledOp compiled;
  compiled.f = op.f;
  compiled.revision = op.revision;
  if (!op.IsIndeterminate()) compiled.deleted = op.deleted;
  compiled.indeterminate = op.IsIndeterminate();
  compiled.succeeded = op.succeeded;
  auto [it, inserted] = key_ids_.try_emplace(op.key, static_cast<uint32_t>(key_names_.size()));
  if (inserted) key_names_.push_back(op.key);
  compiled.key = it->second;
  if (op.f == OpFunction::kRead) {
    CHECK_EQ(op.output.size(), 1u);
    compiled.a = InternValue(op.output[0]);
    if (kv) {
      if (prefix_hashes_.size() <= compiled.a) prefix_hashes_.resize(compiled.a + 1);
      std::vector<uint64_t>& prefix = prefix_hashes_[compiled.a];
      if (prefix.empty()) {
        prefix.push_back(0);
        for (unsigned char c : texts_[compiled.a]) {
          prefix.push_back(AddMod(MulMod(prefix.back(), kBase), c + 1));
        }
        memory_bytes_ += 8 * prefix.size();
      }
    }
  } else if (op.f == OpFunction::kCas) {
    CHECK_EQ(op.input.size(), 2u);
    compiled.a = InternValue(op.input[0]);
    compiled.b = InternValue(op.input[1]);
  } else if (op.f != OpFunction::kDelete) {
    CHECK_EQ(op.input.size(), 1u);
    compiled.a = InternValue(op.input[0]);
    compiled.b = compiled.a;
    if (kv && op.f == OpFunction::kWrite) compiled.b = TrieNode(kNoNode, compiled.a);
  }
  return compiled;
}

size_t Model::VectorHash::operator()(const std::vector<uint32_t>& v) const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a over the ids
  for (uint32_t x : v) {
    h ^= x;
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

uint32_t Model::InternState(std::vector<uint32_t> values) {
  auto [it, inserted] = state_ids_.try_emplace(values, static_cast<uint32_t>(states_.size()));
  if (inserted) {
    memory_bytes_ += 12 * values.size() + 160;  // two copies, node, bucket, slack
    states_.push_back(std::move(values));
  }
  return it->second;
}

Model::State Model::Initial() {
  if (kind_ == ModelKind::kEtcd) return InitialEtcd();
  if (key_names_.size() <= 1) return kNilValue;
  return InternState(std::vector<uint32_t>(key_names_.size(), kNilValue));
}

uint32_t Model::ValueOf(State state, uint32_t key) const {
  if (key_names_.size() <= 1) return state;
  return states_[state][key];
}

Model::State Model::With(State state, uint32_t key, uint32_t value) {
  if (key_names_.size() <= 1) return value;
  if (states_[state][key] == value) return state;
  std::vector<uint32_t> values = states_[state];
  values[key] = value;
  return InternState(std::move(values));
}

uint32_t Model::TrieNode(uint32_t parent, uint32_t text) {
  if (text == kNilValue && parent != kNoNode) return parent;  // appending "" changes nothing
  if (text == kNilValue) return 0;
  const uint32_t fresh = static_cast<uint32_t>(trie_.size());
  if (parent == kNoNode) {
    bool inserted = false;
    const uint32_t root = put_roots_.FindOrInsert(text, fresh, &inserted);
    if (!inserted) return root;
  } else {
    for (uint32_t c = trie_[parent].first_child; c != kNoNode; c = trie_[c].next_sibling) {
      if (trie_[c].text == text) return c;
    }
  }
  const uint64_t base_length = parent == kNoNode ? 0 : trie_[parent].length;
  const uint64_t base_hash = parent == kNoNode ? 0 : trie_[parent].hash;
  const TextInfo& info = text_info_[text];
  TrieEntry entry{parent, text, base_length + texts_[text].size(),
                  AddMod(MulMod(base_hash, info.power), info.hash)};
  if (parent != kNoNode) {
    entry.next_sibling = trie_[parent].first_child;
    trie_[parent].first_child = fresh;
  }
  trie_.push_back(entry);
  memory_bytes_ += 2 * sizeof(TrieEntry);  // the vector may hold twice its size
  return fresh;
}

bool Model::Matches(uint32_t node, uint32_t text) {
  const TrieEntry& entry = trie_[node];
  const std::string& target = texts_[text];
  if (entry.length != target.size()) return false;
  if (entry.hash != text_info_[text].hash) return false;
  // Hashes agree: confirm exactly, comparing from the end (the last piece is the suffix).
  size_t end = target.size();
  for (uint32_t n = node; n != kNoNode && n != 0; n = trie_[n].parent) {
    const std::string& piece = texts_[trie_[n].text];
    if (piece.size() > end) return false;
    if (target.compare(end - piece.size(), piece.size(), piece) != 0) return false;
    end -= piece.size();
  }
  return end == 0;
}

bool Model::CanReachByAppends(State state, const CompiledOp& read) {
  if (kind_ != ModelKind::kKv) return true;
  CHECK(read.f == OpFunction::kRead);
  const TrieEntry& entry = trie_[ValueOf(state, read.key)];
  const std::vector<uint64_t>& prefix = prefix_hashes_[read.a];
  if (entry.length >= prefix.size()) return entry.length + 1 == prefix.size() &&
                                            entry.hash == prefix.back();
  return prefix[entry.length] == entry.hash;
}

namespace {

// Up to the first 8 bytes of s from `at`, zero-padded: a cheap filter before
// comparing hashes.
uint64_t Head(const std::string& s, size_t at) {
  uint64_t head = 0;
  std::memcpy(&head, s.data() + at, std::min<size_t>(8, s.size() - at));
  return head;
}

}  // namespace

bool Model::CouldReach(State state, const CompiledOp& read, const std::vector<LaterOp>& later) {
  if (kind_ != ModelKind::kKv) return true;
  const TrieEntry& current = trie_[ValueOf(state, read.key)];
  return CouldReachFrom(current.length, current.hash, read, later);
}

bool Model::CouldFollow(const CompiledOp& earlier, const CompiledOp& read,
                        const std::vector<LaterOp>& later) {
  if (kind_ != ModelKind::kKv) return true;
  CHECK(earlier.f == OpFunction::kRead && earlier.key == read.key);
  const std::vector<uint64_t>& prefix = prefix_hashes_[earlier.a];
  return CouldReachFrom(prefix.size() - 1, prefix.back(), read, later);
}

bool Model::CouldReachFrom(uint64_t current_length, uint64_t current_hash,
                           const CompiledOp& read, const std::vector<LaterOp>& later) {
  CHECK(read.f == OpFunction::kRead);
  const std::string& value = texts_[read.a];
  const std::vector<uint64_t>& prefix = prefix_hashes_[read.a];
  const size_t length = value.size();
  // The value read starts with the value of the last reset before the read,
  // or with the current value if no reset comes in between; appends follow.
  pieces_.clear();
  reach_.assign(length + 1, 0);
  bool from_reset = false;
  bool must_reset = false;
  for (const LaterOp& later_op : later) {
    const CompiledOp& op = *later_op.op;
    const std::string& text = texts_[op.a];
    const TextInfo& info = text_info_[op.a];
    const bool before = later_op.before;
    if (op.f == OpFunction::kAppend && !text.empty()) {
      // A mandatory append too long for the value rules out the current value as start.
      if (text.size() > length) must_reset = must_reset || before;
      const uint64_t mask = text.size() >= 8 ? ~uint64_t{0}
                                             : (uint64_t{1} << (8 * text.size())) - 1;
      if (text.size() <= length) {
        pieces_.push_back(Piece{text.size(), info.hash, info.power, Head(text, 0), mask, before,
                                false});
      }
    } else if (op.f == OpFunction::kDelete) {
      reach_[0] = 1;
      from_reset = true;
    } else if (op.f == OpFunction::kWrite && text.size() <= length &&
               prefix[text.size()] == info.hash) {
      reach_[text.size()] = 1;
      from_reset = true;
    }
    must_reset = must_reset || (before && Resets(op));
  }
  // Marks the positions reachable from the marked ones by appending pieces,
  // recording each step in edges_ (position, piece) in order of position.
  auto extend = [&](size_t start) {
    edges_.clear();
    for (size_t i = start; i < length; ++i) {
      if (!reach_[i]) continue;
      const uint64_t head = Head(value, i);
      for (uint32_t p = 0; p < pieces_.size(); ++p) {
        const Piece& piece = pieces_[p];
        const size_t end = i + piece.length;
        if ((head & piece.mask) != piece.head || end > length) continue;
        if (prefix[end] != AddMod(MulMod(prefix[i], piece.power), piece.hash)) continue;
        reach_[end] = 1;
        edges_.push_back({static_cast<uint32_t>(i), p});
      }
    }
  };
  if (from_reset) {
    extend(0);
    if (reach_[length]) return true;
  }
  if (must_reset || current_length > length || prefix[current_length] != current_hash) {
    return false;
  }
  // No reset in between: every append that must come before the read spells
  // a piece of the value after the current one, on a path to its end.
  const size_t start = static_cast<size_t>(current_length);
  std::fill(reach_.begin(), reach_.end(), 0);
  reach_[start] = 1;
  extend(start);
  if (!reach_[length]) return false;
  co_reach_.assign(length + 1, 0);
  co_reach_[length] = 1;
  for (auto edge = edges_.rbegin(); edge != edges_.rend(); ++edge) {
    Piece& piece = pieces_[edge->second];
    if (!co_reach_[edge->first + piece.length]) continue;
    co_reach_[edge->first] = 1;
    piece.on_path = true;
  }
  for (const Piece& piece : pieces_) {
    if (piece.before && !piece.on_path) return false;
  }
  return true;
}

std::string Model::Spell(uint32_t node) const {
  std::vector<uint32_t> pieces;
  for (uint32_t n = node; n != kNoNode && n != 0; n = trie_[n].parent) {
    pieces.push_back(trie_[n].text);
  }
  std::string out;
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) out += texts_[*it];
  return out;
}

bool Model::Step(State state, const CompiledOp& op, State* next) {
  if (kind_ == ModelKind::kEtcd) return StepEtcd(state, op, next);
  const uint32_t current = ValueOf(state, op.key);
  switch (op.f) {
    case OpFunction::kRead:
      *next = state;
      return kind_ == ModelKind::kKv ? Matches(current, op.a) : current == op.a;
    case OpFunction::kWrite:
      *next = With(state, op.key, op.b);
      return true;
    case OpFunction::kDelete:
      *next = With(state, op.key, kNilValue);
      return true;
    case OpFunction::kAppend:
      *next = With(state, op.key, TrieNode(current, op.a));
      return true;
    case OpFunction::kCas:
      if (op.indeterminate) {
        *next = current == op.a ? With(state, op.key, op.b) : state;
        return true;
      }
      if ((current == op.a) != op.succeeded) return false;
      *next = op.succeeded ? With(state, op.key, op.b) : state;
      return true;
  }
  UNREACHABLE();
}

uint64_t Model::Hash(State state) {
  uint64_t z = static_cast<uint64_t>(state) + 0x9E3779B97F4A7C15ull;  // splitmix64 finalizer
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string Model::Describe(State state) const {
  if (kind_ == ModelKind::kEtcd) return DescribeEtcd(state);
  std::string out;
  for (uint32_t k = 0; k < key_names_.size(); ++k) {
    if (k > 0) out += " ";
    const uint32_t value = ValueOf(state, k);
    const std::string shown =
        kind_ == ModelKind::kKv ? "\"" + Spell(value) + "\"" : texts_[value];
    out += key_names_[k].empty() ? shown : key_names_[k] + "=" + shown;
  }
  return out;
}

}  // namespace raftlab::checker
