#include "core/mvcc/kv_store.h"

#include <utility>

#include "core/base/check.h"

namespace raftlab::mvcc {

using etcdserverpb::DeleteRangeRequest;
using etcdserverpb::DeleteRangeResponse;
using etcdserverpb::PutRequest;
using etcdserverpb::PutResponse;

KvStatus ValidatePut(const PutRequest& req) {
  if (req.key().empty()) return KvStatus::kEmptyKey;
  if (req.ignore_value() && !req.value().empty()) return KvStatus::kValueProvided;
  if (req.ignore_lease() && req.lease() != 0) return KvStatus::kLeaseProvided;
  return KvStatus::kOk;
}

KvStatus ValidateDeleteRange(const DeleteRangeRequest& req) {
  return req.key().empty() ? KvStatus::kEmptyKey : KvStatus::kOk;
}

KvStatus ValidateRange(const etcdserverpb::RangeRequest& req) {
  return req.key().empty() ? KvStatus::kEmptyKey : KvStatus::kOk;
}

KvStore::WriteContext KvStore::BeginWrite() {
  CHECK_GE(current_revision_, 1);
  changes_.clear();
  return WriteContext{current_revision_ + 1, 0};
}

int64_t KvStore::EndWrite(const WriteContext& ctx) {
  CHECK_EQ(ctx.main, current_revision_ + 1);
  CHECK_EQ(static_cast<size_t>(ctx.next_sub), changes_.size());
  if (ctx.next_sub > 0) current_revision_ = ctx.main;  // S1.2: one step per request
  return current_revision_;
}

const mvccpb::KeyValue* KvStore::Get(std::string_view key, int64_t at) const {
  std::optional<Revision> rev = index_.Get(key, at);
  if (!rev) return nullptr;
  auto it = records_.find(*rev);
  CHECK(it != records_.end());
  CHECK(!it->second.tombstone);
  return &it->second.kv;
}

std::vector<mvccpb::Event> KvStore::TakeChanges() {
  std::vector<mvccpb::Event> out = std::move(changes_);
  changes_.clear();
  return out;
}

KvStatus KvStore::CheckPutState(const PutRequest& req) const {
  if (req.ignore_value() || req.ignore_lease()) {
    if (Get(req.key(), current_revision_) == nullptr) return KvStatus::kKeyNotFound;
  }
  if (!req.ignore_lease() && req.lease() != 0) {
    if (leases_ == nullptr || !leases_->LeaseExists(req.lease())) {
      return KvStatus::kLeaseNotFound;
    }
  }
  return KvStatus::kOk;
}

void KvStore::PutKey(WriteContext* ctx, const std::string& key, const std::string& value,
                     int64_t lease) {
  const Revision rev{ctx->main, ctx->next_sub};
  const mvccpb::KeyValue* prev = Get(key, ReadRevision(*ctx));
  Record record;
  record.kv.set_key(key);
  record.kv.set_value(value);
  record.kv.set_mod_revision(rev.main);
  record.kv.set_create_revision(prev != nullptr ? prev->create_revision() : rev.main);
  record.kv.set_version(prev != nullptr ? prev->version() + 1 : 1);
  record.kv.set_lease(lease);
  const int64_t old_lease = prev != nullptr ? prev->lease() : 0;
  if (leases_ != nullptr && old_lease != 0 && old_lease != lease) leases_->Detach(old_lease, key);
  if (leases_ != nullptr && lease != 0) leases_->Attach(lease, key);
  if (lease != 0) CHECK(leases_ != nullptr);
  index_.Put(key, rev);
  mvccpb::Event event;
  event.set_type(mvccpb::Event::PUT);
  *event.mutable_kv() = record.kv;
  changes_.push_back(std::move(event));
  Persist(rev, record);
  auto [it, inserted] = records_.emplace(rev, std::move(record));
  CHECK(inserted);
  ++ctx->next_sub;
}

void KvStore::DeleteKey(WriteContext* ctx, const std::string& key) {
  const Revision rev{ctx->main, ctx->next_sub};
  const mvccpb::KeyValue* prev = Get(key, ReadRevision(*ctx));
  CHECK(prev != nullptr);
  if (leases_ != nullptr && prev->lease() != 0) leases_->Detach(prev->lease(), key);
  Record record;
  record.tombstone = true;
  record.kv.set_key(key);
  record.kv.set_mod_revision(rev.main);  // S7.3: a DELETE carries {key, mod_revision}
  index_.Tombstone(key, rev);
  mvccpb::Event event;
  event.set_type(mvccpb::Event::DELETE);
  *event.mutable_kv() = record.kv;
  changes_.push_back(std::move(event));
  Persist(rev, record);
  auto [it, inserted] = records_.emplace(rev, std::move(record));
  CHECK(inserted);
  ++ctx->next_sub;
}

PutResponse KvStore::ExecutePut(WriteContext* ctx, const PutRequest& req) {
  PutResponse resp;
  const mvccpb::KeyValue* prev = Get(req.key(), ReadRevision(*ctx));
  if (req.ignore_value() || req.ignore_lease()) CHECK(prev != nullptr);
  if (req.prev_kv() && prev != nullptr) *resp.mutable_prev_kv() = *prev;
  // Copies before the write: PutKey may invalidate `prev`.
  const std::string value = req.ignore_value() ? prev->value() : req.value();
  const int64_t lease = req.ignore_lease() ? prev->lease() : req.lease();
  PutKey(ctx, req.key(), value, lease);
  CHECK_EQ(Get(req.key(), ReadRevision(*ctx))->mod_revision(), ctx->main);
  return resp;
}

DeleteRangeResponse KvStore::ExecuteDeleteRange(WriteContext* ctx,
                                                const DeleteRangeRequest& req) {
  DeleteRangeResponse resp;
  std::vector<std::string> keys;
  index_.Range(KeyRange::FromRequest(req.key(), req.range_end()), ReadRevision(*ctx),
               [&](const std::string& key, Revision rev) {
                 keys.push_back(key);
                 if (req.prev_kv()) *resp.add_prev_kvs() = records_.at(rev).kv;
               });
  for (const std::string& key : keys) DeleteKey(ctx, key);  // ascending key order
  resp.set_deleted(static_cast<int64_t>(keys.size()));
  if (req.prev_kv()) CHECK_EQ(static_cast<size_t>(resp.prev_kvs_size()), keys.size());
  if (!keys.empty()) CHECK(Get(keys.back(), ReadRevision(*ctx)) == nullptr);
  return resp;
}

Outcome<PutResponse> KvStore::Put(const PutRequest& req) {
  Outcome<PutResponse> out;
  out.status = ValidatePut(req);
  if (out.status == KvStatus::kOk) out.status = CheckPutState(req);
  if (!out.ok()) return out;
  WriteContext ctx = BeginWrite();
  out.response = ExecutePut(&ctx, req);
  CHECK_EQ(ctx.next_sub, 1);
  out.response.mutable_header()->set_revision(EndWrite(ctx));  // S4.1: the new R
  return out;
}

Outcome<DeleteRangeResponse> KvStore::DeleteRange(const DeleteRangeRequest& req) {
  Outcome<DeleteRangeResponse> out;
  out.status = ValidateDeleteRange(req);
  if (!out.ok()) return out;
  const int64_t before = current_revision_;
  WriteContext ctx = BeginWrite();
  out.response = ExecuteDeleteRange(&ctx, req);
  // S4.5: deleting nothing leaves R unchanged and reports the current R.
  out.response.mutable_header()->set_revision(EndWrite(ctx));
  if (out.response.deleted() == 0) CHECK_EQ(current_revision_, before);
  return out;
}

}  // namespace raftlab::mvcc
