#include "sim/workload.h"

#include <fmt/format.h>

#include "core/base/check.h"

namespace raftlab::sim {
namespace {

bool IsWrite(const std::string& f) { return f == "put" || f == "delete" || f == "txn"; }

}  // namespace

Workload::Workload(const WorkloadModel& model, int nodes, Prng prng, EventQueue* queue,
                   Trace* trace, SubmitFn submit)
    : model_(model), keys_(model), nodes_(nodes), prng_(prng), queue_(queue), trace_(trace),
      submit_(std::move(submit)), writes_invoked_(static_cast<size_t>(nodes), 0) {
  CHECK_GT(model.clients, 0);
  CHECK_GT(model.keys, 0);
  // Only runs with these clients draw the extra split, so every other run
  // keeps its exact sequence of draws.
  if (model.watch_clients > 0 || model.lease_clients > 0) stream_prng_ = prng_.Split();
}

void Workload::Start() {
  clients_.resize(static_cast<size_t>(model_.clients));
  for (size_t c = 0; c < clients_.size(); ++c) {
    clients_[c].stream = ++next_stream_;
    clients_[c].node = static_cast<raft::NodeId>(prng_.Range(1, nodes_));
    Next(c);
  }
  StartStreams();
}

void Workload::Next(size_t c) {
  if (stopped_) return;
  const TimeNs think = prng_.Range(0, model_.think_max);
  queue_->After(think, [this, c] { Issue(c); });
}

serverpb::ClientRequest Workload::MakeRequest(Client& client, HistoryOp* op) {
  serverpb::ClientRequest req;
  const std::string key = "k" + std::to_string(keys_.Next(&prng_));
  const std::string value = fmt::format("c{}-{}", client.stream, ++client.counter);
  op->key = key;
  const uint64_t total = model_.get + model_.put + model_.del + model_.cas + model_.compact;
  uint64_t pick = prng_.Index(total);
  if (pick < model_.get) {
    op->f = "get";
    req.mutable_range()->set_key(key);
  } else if ((pick -= model_.get) < model_.put) {
    op->f = "put";
    op->value = value;
    req.mutable_put()->set_key(key);
    req.mutable_put()->set_value(value);
  } else if ((pick -= model_.put) < model_.del) {
    op->f = "delete";
    req.mutable_delete_range()->set_key(key);
  } else if ((pick -= model_.del) >= model_.cas) {
    MakeCompaction(&req, op);
  } else {
    // Compare-and-swap against a value this client saw (or an unlikely one).
    op->f = "txn";
    const std::string expected = client.last_value.empty() ? "none" : client.last_value;
    op->compare_value = expected;
    op->value = value;
    etcdserverpb::TxnRequest* txn = req.mutable_txn();
    etcdserverpb::Compare* cmp = txn->add_compare();
    cmp->set_key(key);
    cmp->set_target(etcdserverpb::Compare::VALUE);
    cmp->set_result(etcdserverpb::Compare::EQUAL);
    cmp->set_value(expected);
    etcdserverpb::PutRequest* put = txn->add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(value);
  }
  return req;
}

void Workload::Issue(size_t c) {
  if (stopped_) return;
  Client& client = clients_[c];
  HistoryOp op;
  op.client = client.stream;
  op.op_id = ++next_request_id_;
  op.invoke_ns = queue_->now();
  serverpb::ClientRequest req = MakeRequest(client, &op);
  req.set_id(op.op_id);
  client.pending = op.op_id;
  trace_->Add(queue_->now(), TraceKind::kInvoke, client.node, op.op_id, client.stream, 0,
              [&] { return fmt::format("client {} invokes {} {}", client.stream, op.f, op.key); });
  if (IsWrite(op.f)) ++writes_invoked_[client.node - 1];
  inflight_[op.op_id] = {c, op};
  const uint64_t id = op.op_id;
  submit_(client.node, req);  // a down member simply never answers
  queue_->After(model_.request_timeout, [this, c, id] {
    if (clients_[c].pending == id) Complete(c, nullptr);
  });
}

void Workload::OnResponse(raft::NodeId node, const serverpb::ClientResponse& resp) {
  auto it = inflight_.find(resp.id());
  if (it == inflight_.end()) {
    OnAuxResponse(node, resp);  // a lease client's, or answered after its timeout
    return;
  }
  const size_t c = it->second.first;
  if (clients_[c].node != node || clients_[c].pending != resp.id()) return;
  Complete(c, &resp);
}

void Workload::Complete(size_t c, const serverpb::ClientResponse* resp) {
  Client& client = clients_[c];
  auto it = inflight_.find(*client.pending);
  CHECK(it != inflight_.end());
  HistoryOp op = std::move(it->second.second);
  inflight_.erase(it);
  client.pending.reset();
  const bool definite = resp != nullptr && resp->outcome() != serverpb::OUTCOME_UNKNOWN;
  RecordOutcome(resp, queue_->now(), &op);
  if (op.status == "ok") {
    if (resp->has_range()) {
      op.result_present = true;
      if (resp->range().kvs_size() > 0) op.result = resp->range().kvs(0).value();
      op.revision = resp->range().header().revision();
      if (op.result) client.last_value = *op.result;
    } else if (resp->has_put()) {
      op.revision = resp->put().header().revision();
      client.last_value = *op.value;
    } else if (resp->has_delete_range()) {
      op.deleted = resp->delete_range().deleted();
      op.revision = resp->delete_range().header().revision();
    } else if (resp->has_txn()) {
      op.succeeded = resp->txn().succeeded();
      op.revision = resp->txn().header().revision();
      if (resp->txn().succeeded()) client.last_value = *op.value;
    }
    ++ok_;
    if (IsWrite(op.f)) ++writes_ok_;
    NoteOutcome(op);
  }
  trace_->Add(queue_->now(), TraceKind::kReturn, client.node, op.op_id, op.status[0], 0,
              [&] {
                return fmt::format("client {} {} {} {}", client.stream, op.status, op.f, op.key);
              });
  if (op.f == "compact") {
    checker::AuxOp aux;
    aux.client = op.client;
    aux.op_id = op.op_id;
    aux.f = op.f;
    aux.node = client.node;
    aux.invoke_ns = op.invoke_ns;
    aux.return_ns = op.return_ns;
    aux.status = op.status;
    aux.revision = op.revision;
    aux.error = op.error;
    compactions_.push_back(std::move(aux));  // not a KV operation for the linearizability model
  } else {
    history_.push_back(std::move(op));
  }
  if (!definite) client.stream = ++next_stream_;  // the old stream may still have an op pending
  if (!definite || (resp != nullptr && resp->outcome() == serverpb::OUTCOME_ERROR)) {
    client.node = static_cast<raft::NodeId>(prng_.Range(1, nodes_));  // try another member
  }
  Next(c);
}

void Workload::Finish() {
  stopped_ = true;
  for (size_t c = 0; c < clients_.size(); ++c) {
    if (clients_[c].pending) Complete(c, nullptr);
  }
  for (size_t l = 0; l < leasers_.size(); ++l) {
    if (leasers_[l].pending) CompleteLease(l, nullptr);
  }
}

}  // namespace raftlab::sim
