// etcd v3's gRPC services over a live member (rpc.grpc.pb.h, generated
// from proto/rpc.proto): KV, Watch, Lease, Cluster and Maintenance.
//
// Each handler runs on a gRPC thread and never touches the core: it turns
// the request into a serverpb::ClientRequest, hands it to the MemberLoop and
// waits for the response, or reads state through MemberLoop::Run. What
// etcd checks at its API edge is checked here first, with etcd's errors:
// the request size (--max-request-bytes, 1.5 MiB), and everything the
// server's own validation checks (empty keys, txn limits, ...).
// Behaviour follows etcd 3.4's handlers (etcdserver/api/v3rpc); where
// raftlab differs, docs/live.md says so.
#pragma once

#include <chrono>
#include <cstdint>

#include "rpc.grpc.pb.h"
#include "runner/member_loop.h"

namespace raftlab::runner::api {

struct ApiOptions {
  uint64_t max_request_bytes = 1572864;  // etcd's --max-request-bytes default (1.5 MiB)
  // How long a handler waits for the server's answer. The server itself
  // answers UNKNOWN at its request timeout, so this only bounds a member
  // that stopped answering at all.
  std::chrono::milliseconds wait{10000};
  std::string version = "3.4.23";  // the etcd API version raftlab speaks (Status.version)
};

class KvService final : public etcdserverpb::KV::Service {
 public:
  KvService(MemberLoop* loop, ApiOptions options) : loop_(loop), options_(options) {}
  grpc::Status Range(grpc::ServerContext* ctx, const etcdserverpb::RangeRequest* req,
                     etcdserverpb::RangeResponse* resp) override;
  grpc::Status Put(grpc::ServerContext* ctx, const etcdserverpb::PutRequest* req,
                   etcdserverpb::PutResponse* resp) override;
  grpc::Status DeleteRange(grpc::ServerContext* ctx, const etcdserverpb::DeleteRangeRequest* req,
                           etcdserverpb::DeleteRangeResponse* resp) override;
  grpc::Status Txn(grpc::ServerContext* ctx, const etcdserverpb::TxnRequest* req,
                   etcdserverpb::TxnResponse* resp) override;
  grpc::Status Compact(grpc::ServerContext* ctx, const etcdserverpb::CompactionRequest* req,
                       etcdserverpb::CompactionResponse* resp) override;

 private:
  MemberLoop* loop_;
  ApiOptions options_;
};

class WatchService final : public etcdserverpb::Watch::Service {
 public:
  WatchService(MemberLoop* loop, ApiOptions options) : loop_(loop), options_(options) {}
  grpc::Status Watch(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<etcdserverpb::WatchResponse, etcdserverpb::WatchRequest>* stream)
      override;

 private:
  MemberLoop* loop_;
  ApiOptions options_;
};

class LeaseService final : public etcdserverpb::Lease::Service {
 public:
  LeaseService(MemberLoop* loop, ApiOptions options) : loop_(loop), options_(options) {}
  grpc::Status LeaseGrant(grpc::ServerContext* ctx, const etcdserverpb::LeaseGrantRequest* req,
                          etcdserverpb::LeaseGrantResponse* resp) override;
  grpc::Status LeaseRevoke(grpc::ServerContext* ctx, const etcdserverpb::LeaseRevokeRequest* req,
                           etcdserverpb::LeaseRevokeResponse* resp) override;
  grpc::Status LeaseKeepAlive(grpc::ServerContext* ctx,
                              grpc::ServerReaderWriter<etcdserverpb::LeaseKeepAliveResponse,
                                                       etcdserverpb::LeaseKeepAliveRequest>* stream)
      override;
  grpc::Status LeaseTimeToLive(grpc::ServerContext* ctx,
                               const etcdserverpb::LeaseTimeToLiveRequest* req,
                               etcdserverpb::LeaseTimeToLiveResponse* resp) override;
  grpc::Status LeaseLeases(grpc::ServerContext* ctx, const etcdserverpb::LeaseLeasesRequest* req,
                           etcdserverpb::LeaseLeasesResponse* resp) override;

 private:
  MemberLoop* loop_;
  ApiOptions options_;
};

class ClusterService final : public etcdserverpb::Cluster::Service {
 public:
  ClusterService(MemberLoop* loop, ApiOptions options) : loop_(loop), options_(options) {}
  grpc::Status MemberAdd(grpc::ServerContext* ctx, const etcdserverpb::MemberAddRequest* req,
                         etcdserverpb::MemberAddResponse* resp) override;
  grpc::Status MemberRemove(grpc::ServerContext* ctx, const etcdserverpb::MemberRemoveRequest* req,
                            etcdserverpb::MemberRemoveResponse* resp) override;
  grpc::Status MemberUpdate(grpc::ServerContext* ctx, const etcdserverpb::MemberUpdateRequest* req,
                            etcdserverpb::MemberUpdateResponse* resp) override;
  grpc::Status MemberList(grpc::ServerContext* ctx, const etcdserverpb::MemberListRequest* req,
                          etcdserverpb::MemberListResponse* resp) override;
  grpc::Status MemberPromote(grpc::ServerContext* ctx,
                             const etcdserverpb::MemberPromoteRequest* req,
                             etcdserverpb::MemberPromoteResponse* resp) override;

 private:
  MemberLoop* loop_;
  ApiOptions options_;
};

class MaintenanceService final : public etcdserverpb::Maintenance::Service {
 public:
  MaintenanceService(MemberLoop* loop, ApiOptions options) : loop_(loop), options_(options) {}
  grpc::Status Alarm(grpc::ServerContext* ctx, const etcdserverpb::AlarmRequest* req,
                     etcdserverpb::AlarmResponse* resp) override;
  grpc::Status Status(grpc::ServerContext* ctx, const etcdserverpb::StatusRequest* req,
                      etcdserverpb::StatusResponse* resp) override;
  grpc::Status Defragment(grpc::ServerContext* ctx, const etcdserverpb::DefragmentRequest* req,
                          etcdserverpb::DefragmentResponse* resp) override;
  grpc::Status Hash(grpc::ServerContext* ctx, const etcdserverpb::HashRequest* req,
                    etcdserverpb::HashResponse* resp) override;
  grpc::Status HashKV(grpc::ServerContext* ctx, const etcdserverpb::HashKVRequest* req,
                      etcdserverpb::HashKVResponse* resp) override;
  grpc::Status MoveLeader(grpc::ServerContext* ctx, const etcdserverpb::MoveLeaderRequest* req,
                          etcdserverpb::MoveLeaderResponse* resp) override;

 private:
  MemberLoop* loop_;
  ApiOptions options_;
};

}  // namespace raftlab::runner::api
