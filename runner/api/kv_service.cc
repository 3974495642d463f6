// KV: Range, Put, DeleteRange, Txn, Compact (etcd's v3rpc/key.go).
#include "runner/api/call.h"

namespace raftlab::runner::api {
namespace {

constexpr const char* kTooLarge = "etcdserver: request is too large";

}  // namespace

grpc::Status KvService::Range(grpc::ServerContext* ctx, const etcdserverpb::RangeRequest* req,
                              etcdserverpb::RangeResponse* resp) {
  serverpb::ClientRequest r;
  r.set_serializable(req->serializable());
  *r.mutable_range() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_range, resp);
}

grpc::Status KvService::Put(grpc::ServerContext* ctx, const etcdserverpb::PutRequest* req,
                            etcdserverpb::PutResponse* resp) {
  if (req->ByteSizeLong() > options_.max_request_bytes) return ErrorStatus(kTooLarge);
  serverpb::ClientRequest r;
  *r.mutable_put() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_put, resp);
}

grpc::Status KvService::DeleteRange(grpc::ServerContext* ctx,
                                    const etcdserverpb::DeleteRangeRequest* req,
                                    etcdserverpb::DeleteRangeResponse* resp) {
  if (req->ByteSizeLong() > options_.max_request_bytes) return ErrorStatus(kTooLarge);
  serverpb::ClientRequest r;
  *r.mutable_delete_range() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_delete_range,
              resp);
}

grpc::Status KvService::Txn(grpc::ServerContext* ctx, const etcdserverpb::TxnRequest* req,
                            etcdserverpb::TxnResponse* resp) {
  if (req->ByteSizeLong() > options_.max_request_bytes) return ErrorStatus(kTooLarge);
  serverpb::ClientRequest r;
  *r.mutable_txn() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_txn, resp);
}

grpc::Status KvService::Compact(grpc::ServerContext* ctx, const etcdserverpb::CompactionRequest* req,
                                etcdserverpb::CompactionResponse* resp) {
  serverpb::ClientRequest r;
  *r.mutable_compaction() = *req;
  return CallMember(ctx, loop_, options_, std::move(r), &serverpb::ClientResponse::mutable_compaction,
              resp);
}

}  // namespace raftlab::runner::api
