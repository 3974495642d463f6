// Transport: the peer network of one live member, over TCP with the frames
// of frame.h (the choice of plain frames over gRPC streams is explained in
// docs/architecture.md, "The live runner").
//
// - One listener, which accepts nothing until the first SetPeers (until then
//   connections wait in the backlog, rather than being refused as coming
//   from unknown members); every accepted connection must open with a handshake
//   naming this cluster, this member, and a sender among the current peers;
//   otherwise it is logged and closed. Its frames go through Inbound's
//   checks; a connection that sends anything refused is closed.
// - One sender per peer, with a bounded queue. A message that finds the
//   queue full is dropped and reported unreachable (as etcd does), so Raft
//   probes instead of streaming. A failed connection drops what was queued,
//   reports it the same way, and redials with backoff (50 ms doubling to
//   1 s).
// - A MsgSnap travels as chunks of its state followed by the message, and
//   is reported (ReportSnapshot) once written, or failed if the connection
//   broke first.
//
// Threads: the listener, one reader per inbound connection, one sender per
// peer. Handlers run on reader and sender threads: they must only hand work
// to the member's loop. Stop() closes every socket and joins every thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/base/result.h"
#include "core/raft/types.h"
#include "runner/peer/frame.h"
#include "runner/peer/inbound.h"
#include "runner/url.h"
#include "server.pb.h"

namespace raftlab::runner::peer {

class Transport {
 public:
  struct Options {
    uint64_t cluster_id = 0;
    uint64_t self = 0;
    HostPort listen;
    size_t queue_messages = 4096;
    uint32_t max_frame_bytes = 64u << 20;
    size_t snapshot_chunk_bytes = 1u << 20;
    InboundLimits limits;
  };
  struct Handlers {
    std::function<void(raft::Message)> message;
    std::function<void(uint64_t from, serverpb::ClientRequest)> forward_request;
    std::function<void(serverpb::ClientResponse)> forward_response;
    std::function<void(uint64_t to)> unreachable;
    std::function<void(uint64_t to, bool failed)> snapshot_status;
    std::function<void(const std::string&)> log;
  };

  // Binds and listens (an error names the address), then starts accepting.
  static Result<std::unique_ptr<Transport>> Start(const Options& options, Handlers handlers);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The peers to talk to, by id (this member excluded): new ones get a
  // sender, gone ones are stopped.
  void SetPeers(const std::map<uint64_t, HostPort>& peers);
  // Queues a Raft message for its recipient (never blocks).
  void Send(raft::Message m);
  // Queues a forwarded client request or response for `to`.
  void Forward(uint64_t to, FrameType type, std::string payload);
  // Closes every connection and joins every thread. Idempotent.
  void Stop();

  uint16_t port() const { return port_; }
  // Connections refused since start (for tests and the log).
  uint64_t refused() const { return refused_.load(); }

 private:
  struct Outgoing {
    raft::Message message;  // type kMessage (and a snapshot's chunks)
    FrameType type = FrameType::kMessage;
    std::string payload;    // forwarded request or response
  };
  struct Sender {
    uint64_t to = 0;
    HostPort address;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Outgoing> queue;
    bool stop = false;
    int fd = -1;
    std::thread thread;
  };

  Transport(const Options& options, Handlers handlers, int listen_fd, uint16_t port);
  void AcceptLoop();
  void ReadLoop(int fd);
  void SendLoop(Sender* s);
  // Writes `out` (and, for a MsgSnap, its chunks) to s->fd; false on error.
  bool Write(Sender* s, Outgoing& out);
  void Drop(Sender* s, Outgoing& out);
  void Log(const std::string& line) const;

  Options options_;
  Handlers handlers_;
  int listen_fd_;
  uint16_t port_;
  std::atomic<bool> running_{true};
  std::atomic<uint64_t> refused_{0};
  std::thread accept_thread_;
  std::mutex mu_;  // guards senders_, readers_, reader_fds_, peers_
  std::map<uint64_t, std::unique_ptr<Sender>> senders_;
  std::set<uint64_t> peers_;
  bool peers_known_ = false;  // guarded by mu_; set by the first SetPeers
  std::condition_variable peers_cv_;
  std::vector<std::thread> readers_;
  std::set<int> reader_fds_;
};

}  // namespace raftlab::runner::peer
