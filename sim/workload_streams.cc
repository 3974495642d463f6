// Workload: compactions, watch clients and lease clients (see workload.h).
// Watch clients record every response they get in checker::WatchStream form;
// lease clients record every request as a checker::AuxOp.
#include <fmt/format.h>

#include "core/base/check.h"
#include "sim/workload.h"

namespace raftlab::sim {
namespace {

checker::WatchEventView ToView(const mvccpb::Event& e) {
  auto kv = [](const mvccpb::KeyValue& in) {
    return checker::KeyValueView{in.key(), in.value(), in.mod_revision(), in.create_revision(),
                                 in.version(), in.lease()};
  };
  checker::WatchEventView out;
  out.is_delete = e.type() == mvccpb::Event::DELETE;
  out.kv = kv(e.kv());
  if (e.has_prev_kv()) out.prev_kv = kv(e.prev_kv());
  return out;
}

}  // namespace

void Workload::MakeCompaction(serverpb::ClientRequest* req, HistoryOp* op) {
  // A recent revision; half the time exactly the last acknowledged delete,
  // where a compaction must keep the tombstone for watchers (S6.2).
  const int64_t lag = static_cast<int64_t>(prng_.Range(0, 10));
  int64_t target = std::max<int64_t>(1, known_revision_ - lag);
  const bool at_delete = prng_.Index(2) == 0;
  if (at_delete && last_delete_revision_ > 0) target = last_delete_revision_;
  op->f = "compact";
  op->revision = target;
  req->mutable_compaction()->set_revision(target);
}

void Workload::NoteOutcome(const HistoryOp& op) {
  if (op.revision && op.f != "compact") known_revision_ = std::max(known_revision_, *op.revision);
  if (op.f == "delete" && op.deleted && *op.deleted > 0 && op.revision) {
    last_delete_revision_ = *op.revision;
  }
}

void Workload::StartStreams() {
  for (int i = 0; i < model_.watch_clients; ++i) {
    checker::WatchStream s;
    s.client = ++next_stream_;
    const uint64_t shape = stream_prng_.Index(100);
    if (shape < model_.watch_all_percent) {
      s.key = std::string(1, '\0');
      s.range_end = std::string(1, '\0');
    } else if (shape < model_.watch_all_percent + model_.watch_prefix_percent) {
      s.key = "k";
      s.range_end = "l";
    } else {
      s.key = "k" + std::to_string(stream_prng_.Index(static_cast<uint64_t>(model_.keys)));
    }
    s.prev_kv = stream_prng_.Index(100) < model_.watch_prev_kv_percent;
    s.progress_notify = stream_prng_.Index(100) < model_.watch_progress_notify_percent;
    if (stream_prng_.Index(100) < model_.watch_filter_percent) {
      (stream_prng_.Index(2) == 0 ? s.no_put : s.no_delete) = true;
    }
    WatchClient w;
    w.stream = watch_streams_.size();
    w.node = static_cast<raft::NodeId>(stream_prng_.Range(1, nodes_));
    watch_streams_.push_back(std::move(s));
    watchers_.push_back(w);
    // Start a little later, so "from the past" has a past.
    const TimeNs delay = stream_prng_.Range(0, kSecond);
    const size_t index = watchers_.size() - 1;
    queue_->After(delay, [this, index] {
      WatchClient& c = watchers_[index];
      if (stream_prng_.Index(100) < model_.watch_from_past_percent) {
        const int64_t lag = static_cast<int64_t>(stream_prng_.Range(0, 20));
        c.owed = std::max<int64_t>(1, known_revision_ - lag);
      }
      ConnectWatch(index);
    });
  }
  for (int i = 0; i < model_.lease_clients; ++i) {
    LeaseClient l;
    l.stream = ++next_stream_;
    l.node = static_cast<raft::NodeId>(stream_prng_.Range(1, nodes_));
    leasers_.push_back(l);
    NextLease(leasers_.size() - 1, stream_prng_.Range(0, model_.think_max));
  }
}

// --- watch clients -------------------------------------------------------

void Workload::ConnectWatch(size_t w) {
  if (stopped_ || !watch_fns_.open) return;
  WatchClient& c = watchers_[w];
  checker::WatchStream& s = watch_streams_[c.stream];
  etcdserverpb::WatchCreateRequest req;
  req.set_key(s.key);
  req.set_range_end(s.range_end);
  req.set_prev_kv(s.prev_kv);
  req.set_progress_notify(s.progress_notify);
  if (s.no_put) req.add_filters(etcdserverpb::WatchCreateRequest::NOPUT);
  if (s.no_delete) req.add_filters(etcdserverpb::WatchCreateRequest::NODELETE);
  req.set_start_revision(c.owed);
  connecting_ = true;
  orphans_.clear();
  const std::optional<int64_t> id = watch_fns_.open(c.node, req);
  connecting_ = false;
  auto orphans = std::exchange(orphans_, {});
  ++c.connection;
  if (!id) {
    checker::WatchRecord rec;
    rec.kind = checker::WatchRecord::Kind::kBroken;
    rec.time_ns = queue_->now();
    rec.node = c.node;
    rec.reason = "member unavailable";
    s.records.push_back(std::move(rec));
    ScheduleReconnect(w);
    return;
  }
  c.watch_id = id;
  c.last_heard = queue_->now();
  watch_bindings_[{c.node, *id}] = w;
  trace_->Add(queue_->now(), TraceKind::kNote, c.node, s.client, static_cast<uint64_t>(c.owed),
              static_cast<uint64_t>(*id),
              fmt::format("watch client {} connects from revision {}", s.client, c.owed));
  const raft::NodeId node = c.node;
  for (const auto& [where, responses] : orphans) {
    if (where == std::make_pair(node, *id)) HandleWatchResponses(w, node, responses);
  }
  ScheduleStallCheck(w);
}

void Workload::OnWatchResponses(raft::NodeId node, int64_t watch_id,
                                const std::vector<etcdserverpb::WatchResponse>& responses) {
  auto it = watch_bindings_.find({node, watch_id});
  if (it != watch_bindings_.end()) {
    HandleWatchResponses(it->second, node, responses);
  } else if (connecting_) {
    orphans_.push_back({{node, watch_id}, responses});  // the create in progress, probably
  }
}

void Workload::HandleWatchResponses(size_t w, raft::NodeId node,
                                    const std::vector<etcdserverpb::WatchResponse>& responses) {
  for (const etcdserverpb::WatchResponse& resp : responses) {
    WatchClient& c = watchers_[w];
    if (!c.watch_id || *c.watch_id != resp.watch_id() || c.node != node) return;  // gone
    checker::WatchStream& s = watch_streams_[c.stream];
    c.last_heard = queue_->now();
    checker::WatchRecord rec;
    rec.time_ns = queue_->now();
    rec.node = node;
    rec.watch_id = resp.watch_id();
    rec.header_revision = resp.header().revision();
    if (resp.created()) {
      rec.kind = checker::WatchRecord::Kind::kCreated;
      rec.requested_start = c.owed;
      if (c.owed == 0) c.owed = rec.header_revision + 1;
      s.records.push_back(std::move(rec));
      continue;
    }
    if (resp.canceled()) {
      rec.kind = resp.compact_revision() > 0 ? checker::WatchRecord::Kind::kCompacted
                                             : checker::WatchRecord::Kind::kCanceled;
      rec.compact_revision = resp.compact_revision();
      rec.reason = resp.cancel_reason();
      // Resume where history still exists (etcd clients restart at compact_revision).
      c.owed = std::max(c.owed, resp.compact_revision());
      s.records.push_back(std::move(rec));
      BreakWatch(w, "", /*cancel=*/false);
      return;
    }
    if (resp.events_size() == 0) {
      // A bookmark: everything up to its revision was delivered; a client
      // resumes after it (as etcd's does).
      rec.kind = checker::WatchRecord::Kind::kProgress;
      c.owed = std::max(c.owed, rec.header_revision + 1);
      s.records.push_back(std::move(rec));
      continue;
    }
    rec.kind = checker::WatchRecord::Kind::kEvents;
    rec.fragment = resp.fragment();
    for (const mvccpb::Event& e : resp.events()) rec.events.push_back(ToView(e));
    const int64_t rev = rec.events.back().kv.mod_revision;
    c.owed = std::max(c.owed, resp.fragment() ? rev : rev + 1);
    s.records.push_back(std::move(rec));
  }
}

void Workload::BreakWatch(size_t w, const std::string& reason, bool cancel) {
  WatchClient& c = watchers_[w];
  if (c.watch_id) {
    watch_bindings_.erase({c.node, *c.watch_id});
    if (cancel && watch_fns_.cancel) watch_fns_.cancel(c.node, *c.watch_id);
  }
  c.watch_id.reset();
  ++c.connection;
  if (!reason.empty()) {
    checker::WatchRecord rec;
    rec.kind = checker::WatchRecord::Kind::kBroken;
    rec.time_ns = queue_->now();
    rec.node = c.node;
    rec.reason = reason;
    watch_streams_[c.stream].records.push_back(std::move(rec));
  }
  ScheduleReconnect(w);
}

void Workload::ScheduleReconnect(size_t w) {
  if (stopped_) return;
  WatchClient& c = watchers_[w];
  c.node = static_cast<raft::NodeId>(stream_prng_.Range(1, nodes_));
  const uint64_t connection = c.connection;
  queue_->After(stream_prng_.Range(10 * kMillisecond, 200 * kMillisecond), [this, w, connection] {
    if (watchers_[w].connection == connection) ConnectWatch(w);
  });
}

void Workload::ScheduleStallCheck(size_t w) {
  const uint64_t connection = watchers_[w].connection;
  queue_->After(model_.watch_stall_timeout, [this, w, connection] {
    WatchClient& c = watchers_[w];
    if (stopped_ || c.connection != connection || !c.watch_id) return;
    if (queue_->now() - c.last_heard >= model_.watch_stall_timeout) {
      BreakWatch(w, "stalled", /*cancel=*/true);
    } else {
      ScheduleStallCheck(w);
    }
  });
}

void Workload::OnMemberDown(raft::NodeId node) {
  std::vector<size_t> broken;
  for (const auto& [where, w] : watch_bindings_) {
    if (where.first == node) broken.push_back(w);
  }
  for (size_t w : broken) BreakWatch(w, "member crashed", /*cancel=*/false);
}

// --- lease clients -------------------------------------------------------

void Workload::NextLease(size_t l, TimeNs delay) {
  if (stopped_) return;
  queue_->After(delay, [this, l] { IssueLease(l); });
}

void Workload::IssueLease(size_t l) {
  if (stopped_) return;
  LeaseClient& c = leasers_[l];
  checker::AuxOp op;
  op.client = c.stream;
  op.op_id = ++next_request_id_;
  op.node = c.node;
  op.invoke_ns = queue_->now();
  op.lease = c.lease;
  serverpb::ClientRequest req;
  if (c.lease == 0) {
    op.f = "grant";
    op.ttl_seconds = model_.lease_ttl_seconds;
    req.mutable_lease_grant()->set_ttl(model_.lease_ttl_seconds);
  } else if (c.keys_put < model_.lease_keys) {
    op.f = "put";
    op.key = fmt::format("l{}-{}", c.stream, ++c.counter);
    op.value = fmt::format("c{}-{}", c.stream, c.counter);
    req.mutable_put()->set_key(op.key);
    req.mutable_put()->set_value(op.value);
    req.mutable_put()->set_lease(c.lease);
  } else if (c.keepalives < c.keepalives_planned) {
    op.f = "keepalive";
    req.mutable_lease_keep_alive()->set_id(c.lease);
  } else if (stream_prng_.Index(100) < model_.lease_revoke_percent) {
    op.f = "revoke";
    req.mutable_lease_revoke()->set_id(c.lease);
  } else {
    c.lease = 0;  // abandoned: it expires on its own; start over
    NextLease(l, 0);
    return;
  }
  req.set_id(op.op_id);
  c.pending = op.op_id;
  trace_->Add(queue_->now(), TraceKind::kInvoke, c.node, op.op_id, c.stream, 0,
              [&] {
                return fmt::format("lease client {} invokes {} {}", c.stream, op.f, op.lease);
              });
  const uint64_t id = op.op_id;
  lease_inflight_[id] = {l, std::move(op)};
  submit_(c.node, req);
  queue_->After(model_.request_timeout, [this, l, id] {
    if (leasers_[l].pending == id) CompleteLease(l, nullptr);
  });
}

void Workload::OnAuxResponse(raft::NodeId node, const serverpb::ClientResponse& resp) {
  auto it = lease_inflight_.find(resp.id());
  if (it == lease_inflight_.end()) return;  // answered after its timeout
  const size_t l = it->second.first;
  if (leasers_[l].node != node || leasers_[l].pending != resp.id()) return;
  CompleteLease(l, &resp);
}

void Workload::CompleteLease(size_t l, const serverpb::ClientResponse* resp) {
  LeaseClient& c = leasers_[l];
  auto it = lease_inflight_.find(*c.pending);
  CHECK(it != lease_inflight_.end());
  checker::AuxOp op = std::move(it->second.second);
  lease_inflight_.erase(it);
  c.pending.reset();
  TimeNs delay = stream_prng_.Range(0, model_.think_max);
  RecordOutcome(resp, queue_->now(), &op);
  if (op.status == "ok") {
    if (op.f == "grant") {
      c.lease = resp->lease_grant().id();
      op.lease = c.lease;
      op.ttl_seconds = resp->lease_grant().ttl();
      c.keys_put = 0;
      c.keepalives = 0;
      c.keepalives_planned = static_cast<int>(
          stream_prng_.Range(1, static_cast<uint64_t>(std::max(1, model_.lease_keepalives_max))));
    } else if (op.f == "put") {
      op.revision = resp->put().header().revision();
      ++c.keys_put;
    } else if (op.f == "keepalive") {
      op.ttl_seconds = resp->lease_keep_alive().ttl();
      ++c.keepalives;
      if (op.ttl_seconds == 0) c.lease = 0;  // gone (expired or revoked)
      delay = model_.lease_keepalive_interval;
    } else if (op.f == "revoke") {
      c.lease = 0;
    }
  } else {
    // Indeterminate grants and revokes: forget the lease (it expires if it exists).
    // A failed put most likely means the lease is gone (expired): start over.
    if (op.f == "grant" || op.f == "revoke" || (op.f == "put" && op.status == "fail")) {
      c.lease = 0;
    }
    if (op.f == "put" && op.status == "info") ++c.keys_put;
    if (op.f == "keepalive") delay = model_.lease_keepalive_interval / 4;
    const raft::NodeId hint = resp != nullptr ? static_cast<raft::NodeId>(resp->leader_hint()) : 0;
    c.node = hint != 0 ? hint : static_cast<raft::NodeId>(stream_prng_.Range(1, nodes_));
  }
  trace_->Add(queue_->now(), TraceKind::kReturn, op.node, op.op_id, op.status[0], 0,
              [&] {
                return fmt::format("lease client {} {} {} {}", c.stream, op.status, op.f, op.lease);
              });
  lease_ops_.push_back(std::move(op));
  NextLease(l, delay);
}

}  // namespace raftlab::sim
