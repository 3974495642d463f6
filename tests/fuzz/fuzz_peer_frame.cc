// The live runner's peer connection, from the first byte a stranger sends:
// the handshake (runner/peer/frame.h), the frame decoder fed in pieces of
// any size, and every frame it yields taken by Inbound (runner/peer/
// inbound.h), which decodes and checks it before the core could see it.
// Any bytes end in deliveries or an error, never a crash; and how the
// stream is cut into reads never changes the outcome.
//
// Input: a first byte (the read size, % 61 + 1), then records
// (fuzz_member.h's RecordReader). A record whose kind is below 8 is a frame
// of type kind % 5 (0 is unknown) built with a valid length and checksum
// around the body, so mutations reach the payload decoders; kind 8 puts a
// valid handshake naming the ids in its body first; any other kind appends
// its body raw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/check.h"
#include "runner/peer/frame.h"
#include "runner/peer/inbound.h"
#include "tests/fuzz/fuzz_member.h"

namespace {

using namespace raftlab;
using runner::peer::FrameType;

uint64_t U64(std::string_view b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && at + i < b.size(); ++i) v |= uint64_t{uint8_t(b[at + i])} << (8 * i);
  return v;
}

// What a connection did with the stream: one line per delivery, then the
// error that ended it, if any.
std::vector<std::string> Take(std::string_view stream, size_t read_size) {
  std::vector<std::string> out;
  if (stream.size() < runner::peer::kHandshakeBytes) return out;
  Result<runner::peer::Handshake> hs =
      runner::peer::DecodeHandshake(stream.substr(0, runner::peer::kHandshakeBytes));
  if (!hs) return {"handshake: " + hs.error().message};
  stream.remove_prefix(runner::peer::kHandshakeBytes);
  runner::peer::InboundLimits limits;
  limits.max_snapshot_bytes = 1 << 16;
  limits.max_entries = 64;
  limits.max_entry_bytes = 1 << 12;
  runner::peer::FrameDecoder decoder(1 << 16);
  runner::peer::Inbound inbound(/*self=*/1, /*peer=*/2, limits);
  for (size_t at = 0; at < stream.size(); at += read_size) {
    decoder.Feed(stream.substr(at, read_size));
    for (;;) {
      Result<std::optional<runner::peer::Frame>> f = decoder.Next();
      if (!f) {
        out.push_back("stream: " + f.error().message);
        return out;
      }
      if (!f->has_value()) break;
      Result<runner::peer::Delivery> d = inbound.Take(std::move(**f));
      if (!d) {
        out.push_back("refused: " + d.error().message);
        return out;
      }
      if (d->message) out.push_back("message " + std::to_string(int(d->message->type)));
      if (d->forward_request) out.push_back("request " + d->forward_request->SerializeAsString());
      if (d->forward_response) out.push_back("response " + d->forward_response->SerializeAsString());
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t read_size = data[0] % 61 + 1;
  std::string stream;
  fuzz::RecordReader in(data + 1, size - 1);
  uint8_t kind = 0;
  std::string_view body;
  while (in.Next(&kind, &body)) {
    if (kind < 8) {
      stream += runner::peer::EncodeFrame(static_cast<FrameType>(kind % 5), body);
    } else if (kind == 8) {
      stream += runner::peer::EncodeHandshake({U64(body, 0), U64(body, 8), U64(body, 16)});
    } else {
      stream += body;
    }
  }
  // The same stream in one read and in reads of read_size bytes.
  CHECK_MSG(Take(stream, stream.size() + 1) == Take(stream, read_size),
            "the outcome depends on how the stream was cut into reads");
  return 0;
}
