#include "runner/peer/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "core/raft/codec.h"
#include "core/raft/describe.h"
#include "runner/net.h"

namespace raftlab::runner::peer {
namespace {

constexpr int kPollMs = 200;  // how often blocked threads look at running_
constexpr auto kBackoffMin = std::chrono::milliseconds(50);
constexpr auto kBackoffMax = std::chrono::milliseconds(1000);
constexpr int kHandshakeTimeoutMs = 5000;

// Reads exactly n bytes, or fails (EOF, error, timeout, shutdown).
bool ReadFull(int fd, char* out, size_t n, int timeout_ms, const std::atomic<bool>& running) {
  size_t got = 0;
  int waited = 0;
  while (got < n && running.load()) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r < 0 && errno != EINTR) return false;
    if (r <= 0) {
      waited += kPollMs;
      if (timeout_ms > 0 && waited >= timeout_ms) return false;
      continue;
    }
    const ssize_t k = ::recv(fd, out + got, n - got, 0);
    if (k <= 0) {
      if (k < 0 && errno == EINTR) continue;
      return false;
    }
    got += static_cast<size_t>(k);
  }
  return got == n;
}

}  // namespace

Result<std::unique_ptr<Transport>> Transport::Start(const Options& options, Handlers handlers) {
  Result<Listener> l = ListenTcp(options.listen, "for peers");
  if (!l) return tl::unexpected(l.error());
  return std::unique_ptr<Transport>(new Transport(options, std::move(handlers), l->fd, l->port));
}

Transport::Transport(const Options& options, Handlers handlers, int listen_fd, uint16_t port)
    : options_(options), handlers_(std::move(handlers)), listen_fd_(listen_fd), port_(port) {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

Transport::~Transport() { Stop(); }

void Transport::Log(const std::string& line) const {
  if (handlers_.log) handlers_.log(line);
}

void Transport::Stop() {
  if (!running_.exchange(false)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  std::map<uint64_t, std::unique_ptr<Sender>> senders;
  std::vector<std::thread> readers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    senders.swap(senders_);
    readers.swap(readers_);
    for (int fd : reader_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& [id, s] : senders) {
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->stop = true;
      if (s->fd >= 0) ::shutdown(s->fd, SHUT_RDWR);
    }
    s->cv.notify_all();
    s->thread.join();
  }
  for (std::thread& t : readers) t.join();
}

void Transport::SetPeers(const std::map<uint64_t, HostPort>& peers) {
  std::vector<std::unique_ptr<Sender>> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_.load()) return;
    peers_known_ = true;
    peers_cv_.notify_all();
    peers_.clear();
    for (const auto& [id, hp] : peers) {
      if (id == options_.self) continue;
      peers_.insert(id);
      auto it = senders_.find(id);
      if (it != senders_.end() && it->second->address.ToString() == hp.ToString()) continue;
      if (it != senders_.end()) {
        gone.push_back(std::move(it->second));
        senders_.erase(it);
      }
      auto s = std::make_unique<Sender>();
      s->to = id;
      s->address = hp;
      Sender* raw = s.get();
      s->thread = std::thread([this, raw] { SendLoop(raw); });
      senders_[id] = std::move(s);
    }
    for (auto it = senders_.begin(); it != senders_.end();) {
      if (peers.count(it->first) != 0) {
        ++it;
        continue;
      }
      gone.push_back(std::move(it->second));
      it = senders_.erase(it);
    }
  }
  for (auto& s : gone) {
    {
      std::lock_guard<std::mutex> lock(s->mu);
      s->stop = true;
      if (s->fd >= 0) ::shutdown(s->fd, SHUT_RDWR);
    }
    s->cv.notify_all();
    s->thread.join();
  }
}

void Transport::Send(raft::Message m) {
  Outgoing out;
  const uint64_t to = m.to;
  out.message = std::move(m);
  std::unique_lock<std::mutex> lock(mu_);
  auto it = senders_.find(to);
  if (it == senders_.end()) {
    lock.unlock();
    Drop(nullptr, out);  // not a peer (any more): report it so Raft stops streaming
    return;
  }
  Sender* s = it->second.get();
  std::unique_lock<std::mutex> slock(s->mu);
  lock.unlock();
  if (s->queue.size() >= options_.queue_messages) {
    slock.unlock();
    Drop(s, out);
    return;
  }
  s->queue.push_back(std::move(out));
  slock.unlock();
  s->cv.notify_one();
}

void Transport::Forward(uint64_t to, FrameType type, std::string payload) {
  Outgoing out;
  out.type = type;
  out.payload = std::move(payload);
  std::unique_lock<std::mutex> lock(mu_);
  auto it = senders_.find(to);
  if (it == senders_.end()) return;  // the requester times out, as for a lost message
  Sender* s = it->second.get();
  std::unique_lock<std::mutex> slock(s->mu);
  lock.unlock();
  if (s->queue.size() >= options_.queue_messages) return;
  s->queue.push_back(std::move(out));
  slock.unlock();
  s->cv.notify_one();
}

void Transport::Drop(Sender* s, Outgoing& out) {
  if (out.type != FrameType::kMessage) return;
  const uint64_t to = s != nullptr ? s->to : out.message.to;
  if (out.message.type == raft::MessageType::kSnap) {
    if (handlers_.snapshot_status) handlers_.snapshot_status(to, /*failed=*/true);
  } else if (handlers_.unreachable) {
    handlers_.unreachable(to);
  }
}

bool Transport::Write(Sender* s, Outgoing& out) {
  std::string bytes;
  if (out.type != FrameType::kMessage) {
    bytes = EncodeFrame(out.type, out.payload);
    return WriteFull(s->fd, bytes);
  }
  raft::Message& m = out.message;
  if (m.type == raft::MessageType::kSnap && m.snapshot) {
    // The state goes ahead in chunks, so no frame is large.
    const std::string data = std::exchange(m.snapshot->data, {});
    for (size_t at = 0; at < data.size(); at += options_.snapshot_chunk_bytes) {
      const std::string_view chunk =
          std::string_view(data).substr(at, options_.snapshot_chunk_bytes);
      if (!WriteFull(s->fd, EncodeFrame(FrameType::kSnapshotChunk, chunk))) return false;
    }
  }
  return WriteFull(s->fd, EncodeFrame(FrameType::kMessage, raft::EncodeMessage(m)));
}

void Transport::SendLoop(Sender* s) {
  auto backoff = kBackoffMin;
  for (;;) {
    std::unique_lock<std::mutex> lock(s->mu);
    if (s->stop) break;
    if (s->fd < 0) {
      lock.unlock();
      int fd = DialTcp(s->address);
      if (fd >= 0) {
        const std::string hello = EncodeHandshake({options_.cluster_id, options_.self, s->to});
        if (!WriteFull(fd, hello)) {
          ::close(fd);
          fd = -1;
        }
      }
      lock.lock();
      if (fd < 0) {
        // Unreachable: what waits is lost, as on a broken stream.
        std::deque<Outgoing> dropped = std::exchange(s->queue, {});
        lock.unlock();
        for (Outgoing& out : dropped) Drop(s, out);
        lock.lock();
        s->cv.wait_for(lock, backoff, [s] { return s->stop; });
        backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kBackoffMax));
        continue;
      }
      s->fd = fd;
      backoff = kBackoffMin;
    }
    s->cv.wait_for(lock, std::chrono::milliseconds(kPollMs),
                   [s] { return s->stop || !s->queue.empty(); });
    if (s->stop) break;
    std::deque<Outgoing> batch = std::exchange(s->queue, {});
    const int fd = s->fd;
    lock.unlock();
    bool ok = true;
    size_t k = 0;
    for (; k < batch.size() && ok; ++k) {
      const bool snap = batch[k].type == FrameType::kMessage &&
                        batch[k].message.type == raft::MessageType::kSnap;
      ok = Write(s, batch[k]);
      if (ok && snap && handlers_.snapshot_status) handlers_.snapshot_status(s->to, false);
      if (!ok) Drop(s, batch[k]);
    }
    for (; k < batch.size(); ++k) Drop(s, batch[k]);
    if (!ok) {
      lock.lock();
      ::close(fd);
      s->fd = -1;
      lock.unlock();
      Log(fmt::format("peer {} ({}): connection lost; redialing", s->to, s->address.ToString()));
    }
  }
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->fd >= 0) ::close(s->fd);
  s->fd = -1;
}

void Transport::AcceptLoop() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (running_.load() && !peers_known_) {
      peers_cv_.wait_for(lock, std::chrono::milliseconds(kPollMs));
    }
  }
  while (running_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    NoDelay(fd);
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_.load()) {
      ::close(fd);
      break;
    }
    reader_fds_.insert(fd);
    readers_.emplace_back([this, fd] { ReadLoop(fd); });
  }
}

void Transport::ReadLoop(int fd) {
  auto finish = [this, fd](const std::string& why) {
    if (!why.empty()) Log(why);
    std::lock_guard<std::mutex> lock(mu_);
    reader_fds_.erase(fd);
    ::close(fd);
  };
  char hello[kHandshakeBytes];
  if (!ReadFull(fd, hello, sizeof hello, kHandshakeTimeoutMs, running_)) return finish("");
  Result<Handshake> h = DecodeHandshake(std::string_view(hello, sizeof hello));
  std::string refusal;
  if (!h) {
    refusal = h.error().message;
  } else if (h->cluster_id != options_.cluster_id) {
    refusal = fmt::format("a peer of cluster {:x} (this is cluster {:x})", h->cluster_id,
                          options_.cluster_id);
  } else if (h->to != options_.self) {
    refusal = fmt::format("a connection for member {} (this is member {})", h->to, options_.self);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    if (peers_.count(h->from) == 0) refusal = fmt::format("unknown member {}", h->from);
  }
  if (!refusal.empty()) {
    ++refused_;
    return finish("refused a peer connection: " + refusal);
  }
  const uint64_t from = h->from;
  FrameDecoder decoder(options_.max_frame_bytes);
  Inbound inbound(options_.self, from, options_.limits);
  char buffer[1 << 16];
  while (running_.load()) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    const ssize_t k = ::recv(fd, buffer, sizeof buffer, 0);
    if (k <= 0) {
      if (k < 0 && errno == EINTR) continue;
      break;
    }
    decoder.Feed(std::string_view(buffer, static_cast<size_t>(k)));
    for (;;) {
      Result<std::optional<Frame>> f = decoder.Next();
      if (!f) {
        ++refused_;
        return finish(fmt::format("peer {}: {}; connection closed", from, f.error().message));
      }
      if (!f->has_value()) break;
      Result<Delivery> d = inbound.Take(std::move(**f));
      if (!d) {
        ++refused_;
        return finish(fmt::format("peer {}: refused: {}; connection closed", from,
                                  d.error().message));
      }
      if (d->message && handlers_.message) handlers_.message(std::move(*d->message));
      if (d->forward_request && handlers_.forward_request) {
        handlers_.forward_request(from, std::move(*d->forward_request));
      }
      if (d->forward_response && handlers_.forward_response) {
        handlers_.forward_response(std::move(*d->forward_response));
      }
    }
  }
  finish("");
}

}  // namespace raftlab::runner::peer
