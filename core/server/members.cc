// The cluster's members as clients see them (etcd's Cluster API): names and
// URLs beside Raft's configuration, replicated with it. A member joins,
// leaves or is promoted through a conf change whose context carries a
// serverpb::MemberChange; a running member publishes its name and client
// URLs through an ordinary entry (member_attributes), as etcd's members do.
#include <algorithm>

#include "core/base/check.h"
#include "core/raft/codec.h"
#include "core/server/errors.h"
#include "core/server/server.h"

namespace raftlab::server {
namespace {

bool Contains(const std::vector<raft::NodeId>& ids, raft::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool IsLearner(const raft::ConfState& cs, raft::NodeId id) {
  return Contains(cs.learners, id) && !Contains(cs.voters, id);
}

// etcd accepts http, https, unix and unixs URLs with a host.
bool ValidUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://", "unix://", "unixs://"}) {
    const std::string_view s(scheme);
    if (url.size() > s.size() && url.compare(0, s.size(), s) == 0) return true;
  }
  return false;
}

}  // namespace

bool IsMember(const raft::ConfState& cs, raft::NodeId id) {
  return Contains(cs.voters, id) || Contains(cs.learners, id) ||
         Contains(cs.voters_outgoing, id) || Contains(cs.learners_next, id);
}

std::vector<etcdserverpb::Member> Server::Members() const {
  std::vector<raft::NodeId> ids;
  for (const auto* list : {&conf_state_.voters, &conf_state_.learners,
                           &conf_state_.voters_outgoing, &conf_state_.learners_next}) {
    ids.insert(ids.end(), list->begin(), list->end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<etcdserverpb::Member> out;
  for (raft::NodeId id : ids) {
    etcdserverpb::Member m;
    m.set_id(id);
    m.set_islearner(IsLearner(conf_state_, id));
    if (auto it = members_.find(id); it != members_.end()) {
      m.set_name(it->second.name());
      for (const std::string& u : it->second.peer_urls()) m.add_peerurls(u);
      for (const std::string& u : it->second.client_urls()) m.add_clienturls(u);
    }
    out.push_back(std::move(m));
  }
  return out;
}

void Server::SubmitMemberChange(const serverpb::ClientRequest& req, int64_t now_ms) {
  using R = serverpb::ClientRequest;
  serverpb::MemberChange change;
  change.set_request_id(NextInternalId());
  raft::ConfChangeSingle single;
  if (req.request_case() == R::kMemberAdd) {
    const etcdserverpb::MemberAddRequest& add = req.member_add();
    if (add.peerurls().empty()) return RespondError(req.id(), kErrMemberBadUrls);
    for (const std::string& url : add.peerurls()) {
      if (!ValidUrl(url)) return RespondError(req.id(), kErrMemberBadUrls);
      for (const auto& [id, info] : members_) {
        for (const std::string& have : info.peer_urls()) {
          if (have == url) return RespondError(req.id(), kErrPeerUrlExists);
        }
      }
    }
    if (add.islearner() && !conf_state_.learners.empty()) {
      return RespondError(req.id(), kErrTooManyLearners);  // etcd allows one learner
    }
    raft::NodeId next = 1;
    for (const etcdserverpb::Member& m : Members()) next = std::max<raft::NodeId>(next, m.id() + 1);
    if (!members_.empty()) next = std::max(next, members_.rbegin()->first + 1);
    // Request ids carry the member id in 16 bits.
    if (next >= (uint64_t{1} << 16)) return RespondError(req.id(), kErrMemberBadUrls);
    serverpb::MemberInfo* info = change.mutable_member();
    info->set_id(next);
    for (const std::string& url : add.peerurls()) info->add_peer_urls(url);
    single = {add.islearner() ? raft::ConfChangeType::kAddLearnerNode
                              : raft::ConfChangeType::kAddNode,
              next};
  } else if (req.request_case() == R::kMemberUpdate) {
    // etcd's ConfChangeUpdateNode: new peer URLs, the configuration as is.
    const etcdserverpb::MemberUpdateRequest& update = req.member_update();
    if (!IsMember(conf_state_, update.id())) return RespondError(req.id(), kErrMemberNotFound);
    if (update.peerurls().empty()) return RespondError(req.id(), kErrMemberBadUrls);
    for (const std::string& url : update.peerurls()) {
      if (!ValidUrl(url)) return RespondError(req.id(), kErrMemberBadUrls);
      for (const auto& [id, info] : members_) {
        if (id == update.id()) continue;  // its own URLs may stay
        for (const std::string& have : info.peer_urls()) {
          if (have == url) return RespondError(req.id(), kErrPeerUrlExists);
        }
      }
    }
    serverpb::MemberInfo* info = change.mutable_member();
    info->set_id(update.id());
    for (const std::string& url : update.peerurls()) info->add_peer_urls(url);
    single = {raft::ConfChangeType::kUpdateNode, update.id()};
  } else if (req.request_case() == R::kMemberRemove) {
    const raft::NodeId id = req.member_remove().id();
    if (!IsMember(conf_state_, id)) return RespondError(req.id(), kErrMemberNotFound);
    single = {raft::ConfChangeType::kRemoveNode, id};
  } else {
    CHECK(req.request_case() == R::kMemberPromote);
    const raft::NodeId id = req.member_promote().id();
    if (!IsMember(conf_state_, id)) return RespondError(req.id(), kErrMemberNotFound);
    if (!IsLearner(conf_state_, id)) return RespondError(req.id(), kErrMemberNotLearner);
    single = {raft::ConfChangeType::kAddNode, id};
  }
  if (raw_->raft().lead() == raft::kNone) return RespondError(req.id(), kErrNoLeader);
  raft::ConfChangeV2 cc;
  cc.changes.push_back(single);
  cc.context = change.SerializeAsString();
  if (raw_->ProposeConfChange(cc) != raft::StepResult::kOk) {
    return RespondError(req.id(), kErrProposalDropped);
  }
  // Answered when the change applies (ApplyMemberChange); a change the
  // leader refuses (another one pending) applies as an empty entry and the
  // request times out, as etcd's does.
  pending_writes_[change.request_id()] = PendingWrite{req.id(), now_ms + config_.request_timeout_ms};
}

void Server::ApplyMemberChange(const raft::ConfChangeV2& cc, const raft::ConfState& before) {
  serverpb::MemberChange change;
  if (!cc.context.empty() && !change.ParseFromString(cc.context)) change.Clear();
  // The table follows the configuration: members gone from it are gone.
  for (auto it = members_.begin(); it != members_.end();) {
    it = IsMember(conf_state_, it->first) ? std::next(it) : members_.erase(it);
  }
  if (change.has_member() && IsMember(conf_state_, change.member().id())) {
    serverpb::MemberInfo& info = members_[change.member().id()];
    info.set_id(change.member().id());
    info.mutable_peer_urls()->CopyFrom(change.member().peer_urls());
  }
  auto pending = pending_writes_.find(change.request_id());
  // Only this member's own proposals answer a request, and they hold one
  // change each; anything else leaves the request to time out.
  if (change.request_id() == 0 || pending == pending_writes_.end() || cc.changes.size() != 1) return;
  serverpb::ClientResponse resp;
  resp.set_id(pending->second.client_id);
  pending_writes_.erase(pending);
  etcdserverpb::ResponseHeader header = Header(0);  // etcd's cluster responses carry no revision
  const std::vector<etcdserverpb::Member> members = Members();
  const raft::ConfChangeSingle& single = cc.changes[0];
  if (single.type == raft::ConfChangeType::kUpdateNode) {
    etcdserverpb::MemberUpdateResponse* out = resp.mutable_member_update();
    *out->mutable_header() = header;
    for (const etcdserverpb::Member& m : members) *out->add_members() = m;
  } else if (single.type == raft::ConfChangeType::kRemoveNode) {
    etcdserverpb::MemberRemoveResponse* out = resp.mutable_member_remove();
    *out->mutable_header() = header;
    for (const etcdserverpb::Member& m : members) *out->add_members() = m;
  } else if (single.type == raft::ConfChangeType::kAddNode && IsMember(before, single.node_id)) {
    etcdserverpb::MemberPromoteResponse* out = resp.mutable_member_promote();
    *out->mutable_header() = header;
    for (const etcdserverpb::Member& m : members) *out->add_members() = m;
  } else {
    etcdserverpb::MemberAddResponse* out = resp.mutable_member_add();
    *out->mutable_header() = header;
    for (const etcdserverpb::Member& m : members) {
      if (m.id() == single.node_id) *out->mutable_member() = m;
      *out->add_members() = m;
    }
  }
  Respond(std::move(resp));
}

void Server::ApplyMemberAttributes(const serverpb::MemberInfo& attributes) {
  // A member that is no longer in the configuration publishes nothing.
  if (!IsMember(conf_state_, attributes.id())) return;
  serverpb::MemberInfo& info = members_[attributes.id()];
  info.set_id(attributes.id());
  info.set_name(attributes.name());
  info.mutable_client_urls()->CopyFrom(attributes.client_urls());
}

void Server::MaybePublish(int64_t now_ms) {
  const serverpb::MemberInfo& self = config_.local_attributes;
  if (self.name().empty() || raw_->raft().lead() == raft::kNone) return;
  if (now_ms - last_publish_ms_ < config_.request_timeout_ms) return;
  if (auto it = members_.find(config_.id); it != members_.end()) {
    const bool same = it->second.name() == self.name() &&
                      std::equal(it->second.client_urls().begin(), it->second.client_urls().end(),
                                 self.client_urls().begin(), self.client_urls().end());
    if (same) return;
  }
  serverpb::InternalRequest r;
  r.set_id(NextInternalId());
  *r.mutable_member_attributes() = self;
  r.mutable_member_attributes()->set_id(config_.id);
  if (raw_->Propose(r.SerializeAsString()) == raft::StepResult::kOk) last_publish_ms_ = now_ms;
}

}  // namespace raftlab::server
