// LinkProxy: one directed link of a live cluster's network as a TCP relay
// that a test harness can cut, so partitions need no root and no firewall.
//
// A member that dials a peer through the proxy (`raftlab node --peer-dial`)
// reaches it while the link is healed. Cutting the link closes every relayed
// connection at once and closes each new one as soon as it is accepted, so
// the member sees its peer as unreachable and keeps redialing with backoff;
// healing lets the next dial through. Bytes are relayed as they are, never
// parsed: the proxy knows nothing of the protocol it carries.
//
// Threads: one acceptor, one relay thread per connection. Stop() (or the
// destructor) closes every socket and joins every thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "core/base/result.h"
#include "runner/url.h"

namespace raftlab::runner {

class LinkProxy {
 public:
  // Listens on `listen` (port 0: any free port) and relays to `target`.
  static Result<std::unique_ptr<LinkProxy>> Start(const HostPort& listen, const HostPort& target);
  ~LinkProxy();
  LinkProxy(const LinkProxy&) = delete;
  LinkProxy& operator=(const LinkProxy&) = delete;

  uint16_t port() const { return port_; }
  // Cut: closes every relayed connection and refuses new ones until healed.
  void SetCut(bool cut);
  bool cut() const { return cut_.load(); }
  // Connections relayed since the start (for tests).
  uint64_t relayed() const { return relayed_.load(); }
  void Stop();

 private:
  struct Connection {
    int client_fd = -1;
    int target_fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  LinkProxy(int listen_fd, uint16_t port, HostPort target);
  void AcceptLoop();
  void Relay(Connection* c);
  // Shuts down both sockets of every connection (their threads then end).
  void CloseAll();

  const int listen_fd_;
  const uint16_t port_;
  const HostPort target_;
  std::atomic<bool> running_{true};
  std::atomic<bool> cut_{false};
  std::atomic<uint64_t> relayed_{0};
  std::thread acceptor_;
  std::mutex mu_;  // guards connections_
  std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace raftlab::runner
