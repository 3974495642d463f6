#include "core/backend/backend.h"

#include "core/base/check.h"

namespace raftlab::backend {

const char* BucketName(Bucket b) {
  switch (b) {
    case Bucket::kKey: return "key";
    case Bucket::kMeta: return "meta";
    case Bucket::kLease: return "lease";
    case Bucket::kMembers: return "members";
  }
  UNREACHABLE();
}

void Backend::Put(Bucket b, std::string_view key, std::string_view value) {
  buffer_[static_cast<int>(b)].insert_or_assign(std::string(key), std::string(value));
  ++pending_;
}

void Backend::Delete(Bucket b, std::string_view key) {
  buffer_[static_cast<int>(b)].insert_or_assign(std::string(key), std::nullopt);
  ++pending_;
}

bool Backend::CommitDue(int64_t now_ms) {
  // The batch's window is measured from the last commit, or the last check
  // that found it empty: like etcd's commit ticker, a write waits at most
  // one interval.
  if (pending_ == 0 || window_start_ms_ == INT64_MIN) window_start_ms_ = now_ms;
  if (pending_ == 0) return false;
  return pending_ >= options_.limit || now_ms - window_start_ms_ >= options_.interval_ms;
}

Status Backend::MaybeCommit(int64_t now_ms) {
  return CommitDue(now_ms) ? Commit(now_ms) : OkStatus();
}

void Backend::DeleteAll(Bucket b) {
  std::vector<std::string> keys;
  Range(b, "", "", [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  });
  for (const std::string& key : keys) Delete(b, key);
}

Status Backend::Commit(int64_t now_ms) {
  window_start_ms_ = now_ms;
  if (pending_ == 0) return OkStatus();
  std::vector<Write> writes;
  for (int b = 0; b < kBucketCount; ++b) {
    for (auto& [key, value] : buffer_[b]) writes.push_back({static_cast<Bucket>(b), key, value});
  }
  RAFTLAB_RETURN_IF_ERROR(CommitWrites(writes));
  for (Buffer& buffer : buffer_) buffer.clear();
  pending_ = 0;
  ++commits_;
  return OkStatus();
}

std::optional<std::string> Backend::Get(Bucket b, std::string_view key) const {
  const Buffer& buffer = buffer_[static_cast<int>(b)];
  if (auto it = buffer.find(key); it != buffer.end()) return it->second;
  return GetCommitted(b, key);
}

void Backend::Range(Bucket b, std::string_view start, std::string_view end,
                    const Visitor& fn) const {
  const Buffer& buffer = buffer_[static_cast<int>(b)];
  auto it = buffer.lower_bound(start);
  const auto below_end = [&](std::string_view key) { return end.empty() || key < end; };
  bool more = true;
  // Buffered keys before `key`, which the committed store does not hold.
  const auto flush_before = [&](std::optional<std::string_view> key) {
    for (; more && it != buffer.end() && below_end(it->first) && (!key || it->first < *key); ++it) {
      if (it->second) more = fn(it->first, *it->second);
    }
  };
  RangeCommitted(b, start, end, [&](std::string_view key, std::string_view value) {
    flush_before(key);
    if (!more) return false;
    if (it != buffer.end() && it->first == key) {  // the batch overrides it
      if (it->second) more = fn(key, *it->second);
      ++it;
      return more;
    }
    more = fn(key, value);
    return more;
  });
  flush_before(std::nullopt);
}

Status Backend::Defragment(int64_t now_ms) {
  RAFTLAB_RETURN_IF_ERROR(Commit(now_ms));
  return Compact();
}

}  // namespace raftlab::backend
