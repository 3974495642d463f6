#include "runner/proxy/link_proxy.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "runner/net.h"

namespace raftlab::runner {
namespace {

constexpr int kPollMs = 200;  // how often blocked threads look at running_ and cut_
constexpr size_t kBufferBytes = 64 * 1024;

}  // namespace

Result<std::unique_ptr<LinkProxy>> LinkProxy::Start(const HostPort& listen, const HostPort& target) {
  Result<Listener> l = ListenTcp(listen, "for a link proxy");
  if (!l) return tl::unexpected(l.error());
  return std::unique_ptr<LinkProxy>(new LinkProxy(l->fd, l->port, target));
}

LinkProxy::LinkProxy(int listen_fd, uint16_t port, HostPort target)
    : listen_fd_(listen_fd), port_(port), target_(std::move(target)) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LinkProxy::~LinkProxy() { Stop(); }

void LinkProxy::Stop() {
  if (!running_.exchange(false)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  CloseAll();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : connections_) {
    if (c->thread.joinable()) c->thread.join();
  }
  connections_.clear();
}

void LinkProxy::SetCut(bool cut) {
  cut_.store(cut);
  if (cut) CloseAll();
}

void LinkProxy::CloseAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : connections_) {
    // shutdown, not close: the relay thread owns the descriptors and closes
    // them; a blocked send or poll returns at once.
    if (c->client_fd >= 0) ::shutdown(c->client_fd, SHUT_RDWR);
    if (c->target_fd >= 0) ::shutdown(c->target_fd, SHUT_RDWR);
  }
}

void LinkProxy::AcceptLoop() {
  while (running_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (cut_.load()) {  // a cut link: the dialer sees its connection close
      ::close(fd);
      continue;
    }
    const int target = DialTcp(target_);
    if (target < 0) {  // the far end is down: so is the link
      ::close(fd);
      continue;
    }
    NoDelay(fd);
    std::lock_guard<std::mutex> lock(mu_);
    // Reap relays that ended, so the list stays as long as the live ones.
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done.load()) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    auto c = std::make_unique<Connection>();
    c->client_fd = fd;
    c->target_fd = target;
    Connection* raw = c.get();
    connections_.push_back(std::move(c));
    relayed_.fetch_add(1);
    raw->thread = std::thread([this, raw] { Relay(raw); });
    // A cut that came between the check above and the list: honour it.
    if (cut_.load() && raw->client_fd >= 0) {
      ::shutdown(raw->client_fd, SHUT_RDWR);
      ::shutdown(raw->target_fd, SHUT_RDWR);
    }
  }
}

void LinkProxy::Relay(Connection* c) {
  char buf[kBufferBytes];
  int client = -1, target = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    client = c->client_fd;
    target = c->target_fd;
  }
  pollfd fds[2] = {{client, POLLIN, 0}, {target, POLLIN, 0}};
  const int to[2] = {target, client};
  bool open = true;
  while (open && running_.load() && !cut_.load()) {
    fds[0].revents = fds[1].revents = 0;
    const int r = ::poll(fds, 2, kPollMs);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && open; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t k = ::recv(fds[i].fd, buf, sizeof buf, 0);
      if (k <= 0) {
        if (k < 0 && errno == EINTR) continue;
        open = false;  // one side closed: end both, as a broken link does
        break;
      }
      if (!WriteFull(to[i], std::string_view(buf, static_cast<size_t>(k)))) open = false;
    }
  }
  // Forget the descriptors under the lock before closing them, so that
  // CloseAll never shuts down a number the kernel has already reused.
  {
    std::lock_guard<std::mutex> lock(mu_);
    c->client_fd = c->target_fd = -1;
  }
  ::close(client);
  ::close(target);
  c->done.store(true);
}

}  // namespace raftlab::runner
