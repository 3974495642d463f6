// runner/proxy/link_proxy.h on the loopback: bytes pass both ways while the
// link is healed; a cut ends open connections and turns new ones away; a
// heal lets the next connection through. Every wait is bounded.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "runner/net.h"
#include "runner/proxy/link_proxy.h"

namespace raftlab::runner {
namespace {

// Reads what arrives within 10 s: the bytes, or "" once the peer closed.
std::string ReadSome(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 10000) <= 0) return "(timeout)";
  char buf[256];
  const ssize_t k = ::recv(fd, buf, sizeof buf, 0);
  return k <= 0 ? "" : std::string(buf, static_cast<size_t>(k));
}

// A server that answers each line it reads with "echo:" and the line.
class EchoServer {
 public:
  EchoServer() {
    Result<Listener> l = ListenTcp(HostPort{"127.0.0.1", 0}, "for the echo server");
    EXPECT_TRUE(l.has_value());
    listener_ = *l;
    thread_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept(listener_.fd, nullptr, nullptr);
        if (fd < 0) return;
        connections_.emplace_back([fd] {
          for (;;) {
            const std::string got = ReadSome(fd);
            if (got.empty() || got == "(timeout)") break;
            WriteFull(fd, "echo:" + got);
          }
          ::close(fd);
        });
      }
    });
  }
  ~EchoServer() {
    ::shutdown(listener_.fd, SHUT_RDWR);
    thread_.join();
    for (std::thread& t : connections_) t.join();
    ::close(listener_.fd);
  }
  uint16_t port() const { return listener_.port; }

 private:
  Listener listener_;
  std::thread thread_;
  std::vector<std::thread> connections_;
};

TEST(LinkProxy, RelaysUntilCutAndAgainAfterHeal) {
  EchoServer echo;
  Result<std::unique_ptr<LinkProxy>> started =
      LinkProxy::Start(HostPort{"127.0.0.1", 0}, HostPort{"127.0.0.1", echo.port()});
  ASSERT_TRUE(started.has_value());
  LinkProxy& proxy = **started;
  const HostPort at{"127.0.0.1", proxy.port()};

  const int a = DialTcp(at);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(WriteFull(a, "one"));
  EXPECT_EQ(ReadSome(a), "echo:one");

  proxy.SetCut(true);
  EXPECT_EQ(ReadSome(a), "");  // the open connection ends
  ::close(a);
  const int b = DialTcp(at);   // a new one is accepted, then closed at once
  ASSERT_GE(b, 0);
  EXPECT_EQ(ReadSome(b), "");
  ::close(b);

  proxy.SetCut(false);
  const int c = DialTcp(at);
  ASSERT_GE(c, 0);
  ASSERT_TRUE(WriteFull(c, "two"));
  EXPECT_EQ(ReadSome(c), "echo:two");
  ::close(c);
  EXPECT_EQ(proxy.relayed(), 2u);  // a and c; b never reached the server
  proxy.Stop();
}

TEST(LinkProxy, AConnectionToADownTargetIsClosed) {
  // The target port is a listener that was closed: nothing answers there.
  Result<Listener> l = ListenTcp(HostPort{"127.0.0.1", 0}, "for the test");
  ASSERT_TRUE(l.has_value());
  const uint16_t dead = l->port;
  ::close(l->fd);
  Result<std::unique_ptr<LinkProxy>> proxy =
      LinkProxy::Start(HostPort{"127.0.0.1", 0}, HostPort{"127.0.0.1", dead});
  ASSERT_TRUE(proxy.has_value());
  const int fd = DialTcp(HostPort{"127.0.0.1", (*proxy)->port()});
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadSome(fd), "");
  ::close(fd);
  EXPECT_EQ((*proxy)->relayed(), 0u);
}

}  // namespace
}  // namespace raftlab::runner
