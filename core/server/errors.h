// Client-visible error texts, as etcd's v3 API spells them, so histories
// read like etcd's and the checker can classify them.
#pragma once

#include <string>

#include "core/lease/lessor.h"
#include "core/mvcc/status.h"

namespace raftlab::server {

inline constexpr const char* kErrNotLeader = "etcdserver: not leader";
inline constexpr const char* kErrNoLeader = "etcdserver: no leader";
inline constexpr const char* kErrTimeout = "etcdserver: request timed out";
inline constexpr const char* kErrNoSpace = "etcdserver: mvcc: database space exceeded";
inline constexpr const char* kErrProposalDropped = "etcdserver: proposal dropped";
inline constexpr const char* kErrEmptyRequest = "etcdserver: empty request";
inline constexpr const char* kErrMemberNotFound = "etcdserver: member not found";
inline constexpr const char* kErrMemberBadUrls = "etcdserver: given member URLs are invalid";
inline constexpr const char* kErrPeerUrlExists = "etcdserver: Peer URLs already exists";
inline constexpr const char* kErrMemberNotLearner = "etcdserver: can only promote a learner member";
inline constexpr const char* kErrTooManyLearners =
    "etcdserver: too many learner members in cluster";

std::string KvError(mvcc::KvStatus status);
std::string LeaseError(lease::LeaseStatus status);

}  // namespace raftlab::server
