// Pins every field name and number of our etcd-compatible messages to etcd's.
//
// Transcribed by hand from etcd-io/etcd:
//   api/etcdserverpb/rpc.proto at commit 022b9b22cf9b8563a9f4f384bb35c30f02aca657
//   api/mvccpb/kv.proto        at commit 20962bc85b441a8daa36c5abe1a1328cfa5dd0e1
// (before v3.5 the same files were etcdserver/etcdserverpb/rpc.proto and
// mvcc/mvccpb/kv.proto). Those files tag each field with the etcd version
// that introduced it (versionpb.etcd_version_field); only fields from v3.4
// or earlier are listed here, and our messages must have exactly these.
// HashKVResponse.hash_revision (3.6) is deliberately absent.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kv.pb.h"
#include "rpc.pb.h"

namespace {

using google::protobuf::DescriptorPool;

struct Field {
  const char* name;
  int number;
};

struct Message {
  const char* full_name;
  std::vector<Field> fields;
};

const std::vector<Message>& EtcdMessages() {
  static const std::vector<Message> kMessages = {
      {"mvccpb.KeyValue",
       {{"key", 1}, {"create_revision", 2}, {"mod_revision", 3}, {"version", 4},
        {"value", 5}, {"lease", 6}}},
      {"mvccpb.Event", {{"type", 1}, {"kv", 2}, {"prev_kv", 3}}},
      {"etcdserverpb.ResponseHeader",
       {{"cluster_id", 1}, {"member_id", 2}, {"revision", 3}, {"raft_term", 4}}},
      {"etcdserverpb.RangeRequest",
       {{"key", 1}, {"range_end", 2}, {"limit", 3}, {"revision", 4}, {"sort_order", 5},
        {"sort_target", 6}, {"serializable", 7}, {"keys_only", 8}, {"count_only", 9},
        {"min_mod_revision", 10}, {"max_mod_revision", 11}, {"min_create_revision", 12},
        {"max_create_revision", 13}}},
      {"etcdserverpb.RangeResponse", {{"header", 1}, {"kvs", 2}, {"more", 3}, {"count", 4}}},
      {"etcdserverpb.PutRequest",
       {{"key", 1}, {"value", 2}, {"lease", 3}, {"prev_kv", 4}, {"ignore_value", 5},
        {"ignore_lease", 6}}},
      {"etcdserverpb.PutResponse", {{"header", 1}, {"prev_kv", 2}}},
      {"etcdserverpb.DeleteRangeRequest", {{"key", 1}, {"range_end", 2}, {"prev_kv", 3}}},
      {"etcdserverpb.DeleteRangeResponse", {{"header", 1}, {"deleted", 2}, {"prev_kvs", 3}}},
      {"etcdserverpb.RequestOp",
       {{"request_range", 1}, {"request_put", 2}, {"request_delete_range", 3},
        {"request_txn", 4}}},
      {"etcdserverpb.ResponseOp",
       {{"response_range", 1}, {"response_put", 2}, {"response_delete_range", 3},
        {"response_txn", 4}}},
      {"etcdserverpb.Compare",
       {{"result", 1}, {"target", 2}, {"key", 3}, {"version", 4}, {"create_revision", 5},
        {"mod_revision", 6}, {"value", 7}, {"lease", 8}, {"range_end", 64}}},
      {"etcdserverpb.TxnRequest", {{"compare", 1}, {"success", 2}, {"failure", 3}}},
      {"etcdserverpb.TxnResponse", {{"header", 1}, {"succeeded", 2}, {"responses", 3}}},
      {"etcdserverpb.CompactionRequest", {{"revision", 1}, {"physical", 2}}},
      {"etcdserverpb.CompactionResponse", {{"header", 1}}},
      {"etcdserverpb.HashKVRequest", {{"revision", 1}}},
      {"etcdserverpb.HashKVResponse", {{"header", 1}, {"hash", 2}, {"compact_revision", 3}}},
      {"etcdserverpb.WatchRequest",
       {{"create_request", 1}, {"cancel_request", 2}, {"progress_request", 3}}},
      {"etcdserverpb.WatchCreateRequest",
       {{"key", 1}, {"range_end", 2}, {"start_revision", 3}, {"progress_notify", 4},
        {"filters", 5}, {"prev_kv", 6}, {"watch_id", 7}, {"fragment", 8}}},
      {"etcdserverpb.WatchCancelRequest", {{"watch_id", 1}}},
      {"etcdserverpb.WatchProgressRequest", {}},
      {"etcdserverpb.WatchResponse",
       {{"header", 1}, {"watch_id", 2}, {"created", 3}, {"canceled", 4},
        {"compact_revision", 5}, {"cancel_reason", 6}, {"fragment", 7}, {"events", 11}}},
      {"etcdserverpb.LeaseGrantRequest", {{"TTL", 1}, {"ID", 2}}},
      {"etcdserverpb.LeaseGrantResponse", {{"header", 1}, {"ID", 2}, {"TTL", 3}, {"error", 4}}},
      {"etcdserverpb.LeaseRevokeRequest", {{"ID", 1}}},
      {"etcdserverpb.LeaseRevokeResponse", {{"header", 1}}},
      {"etcdserverpb.LeaseKeepAliveRequest", {{"ID", 1}}},
      {"etcdserverpb.LeaseKeepAliveResponse", {{"header", 1}, {"ID", 2}, {"TTL", 3}}},
      {"etcdserverpb.LeaseTimeToLiveRequest", {{"ID", 1}, {"keys", 2}}},
      {"etcdserverpb.LeaseTimeToLiveResponse",
       {{"header", 1}, {"ID", 2}, {"TTL", 3}, {"grantedTTL", 4}, {"keys", 5}}},
  };
  return kMessages;
}

struct EnumValues {
  const char* full_name;
  std::vector<Field> values;
};

const std::vector<EnumValues>& EtcdEnums() {
  static const std::vector<EnumValues> kEnums = {
      {"mvccpb.Event.EventType", {{"PUT", 0}, {"DELETE", 1}}},
      {"etcdserverpb.RangeRequest.SortOrder", {{"NONE", 0}, {"ASCEND", 1}, {"DESCEND", 2}}},
      {"etcdserverpb.RangeRequest.SortTarget",
       {{"KEY", 0}, {"VERSION", 1}, {"CREATE", 2}, {"MOD", 3}, {"VALUE", 4}}},
      {"etcdserverpb.Compare.CompareResult",
       {{"EQUAL", 0}, {"GREATER", 1}, {"LESS", 2}, {"NOT_EQUAL", 3}}},
      {"etcdserverpb.Compare.CompareTarget",
       {{"VERSION", 0}, {"CREATE", 1}, {"MOD", 2}, {"VALUE", 3}, {"LEASE", 4}}},
      {"etcdserverpb.WatchCreateRequest.FilterType", {{"NOPUT", 0}, {"NODELETE", 1}}},
  };
  return kEnums;
}

TEST(ProtoFields, EveryMessageMatchesEtcd) {
  // Touch the generated types so their descriptors are linked in.
  ASSERT_NE(etcdserverpb::TxnRequest::descriptor(), nullptr);
  ASSERT_NE(mvccpb::KeyValue::descriptor(), nullptr);
  for (const Message& m : EtcdMessages()) {
    SCOPED_TRACE(m.full_name);
    const auto* desc = DescriptorPool::generated_pool()->FindMessageTypeByName(m.full_name);
    ASSERT_NE(desc, nullptr);
    EXPECT_EQ(desc->field_count(), static_cast<int>(m.fields.size()));
    for (const Field& f : m.fields) {
      SCOPED_TRACE(f.name);
      const auto* field = desc->FindFieldByName(f.name);
      ASSERT_NE(field, nullptr);
      EXPECT_EQ(field->number(), f.number);
    }
  }
}

TEST(ProtoFields, EveryEnumMatchesEtcd) {
  for (const EnumValues& e : EtcdEnums()) {
    SCOPED_TRACE(e.full_name);
    const auto* desc = DescriptorPool::generated_pool()->FindEnumTypeByName(e.full_name);
    ASSERT_NE(desc, nullptr);
    EXPECT_EQ(desc->value_count(), static_cast<int>(e.values.size()));
    for (const Field& v : e.values) {
      SCOPED_TRACE(v.name);
      const auto* value = desc->FindValueByName(v.name);
      ASSERT_NE(value, nullptr);
      EXPECT_EQ(value->number(), v.number);
    }
  }
}

TEST(ProtoFields, OneofsMatchEtcd) {
  const auto* compare = etcdserverpb::Compare::descriptor();
  const auto* target_union = compare->FindOneofByName("target_union");
  ASSERT_NE(target_union, nullptr);
  EXPECT_EQ(target_union->field_count(), 5);  // version .. lease; range_end is outside
  EXPECT_EQ(compare->FindFieldByName("range_end")->containing_oneof(), nullptr);
  ASSERT_NE(etcdserverpb::RequestOp::descriptor()->FindOneofByName("request"), nullptr);
  ASSERT_NE(etcdserverpb::ResponseOp::descriptor()->FindOneofByName("response"), nullptr);
  ASSERT_NE(etcdserverpb::WatchRequest::descriptor()->FindOneofByName("request_union"), nullptr);
}

}  // namespace
