// Codec: conversion between the core's value types and their protobuf
// encoding (proto/raft.proto), for configuration-change payloads, the WAL
// and the wire. Decoding never trusts its input: malformed bytes come back
// as an Error, never as a crash or a half-filled value.
#pragma once

#include <string>

#include "core/base/result.h"
#include "core/raft/types.h"
#include "raft.pb.h"

namespace raftlab::raft {

std::string EncodeConfChange(const ConfChange& cc);
std::string EncodeConfChangeV2(const ConfChangeV2& cc);
// Decodes the payload of a kConfChange or kConfChangeV2 entry (v1 is widened).
Result<ConfChangeV2> DecodeConfChange(const Entry& entry);
Result<ConfChange> DecodeConfChangeV1(const std::string& data);

raftpb::Entry ToProto(const Entry& e);
raftpb::ConfState ToProto(const ConfState& cs);
raftpb::Snapshot ToProto(const Snapshot& s);
raftpb::HardState ToProto(const HardState& hs);
raftpb::Message ToProto(const Message& m);

Result<Entry> FromProto(const raftpb::Entry& p);
ConfState FromProto(const raftpb::ConfState& p);
Result<Snapshot> FromProto(const raftpb::Snapshot& p);
HardState FromProto(const raftpb::HardState& p);
Result<Message> FromProto(const raftpb::Message& p);

// Whole-message byte encodings (frames on the wire).
std::string EncodeMessage(const Message& m);
Result<Message> DecodeMessage(const std::string& bytes);

}  // namespace raftlab::raft
