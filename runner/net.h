// TCP helpers shared by the peer transport and the link proxy: resolving,
// listening, dialing and writing on blocking IPv4 sockets (all O_CLOEXEC).
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "runner/url.h"

namespace raftlab::runner {

struct Listener {
  int fd = -1;
  uint16_t port = 0;  // the bound port (the one chosen, for port 0)
};

Result<sockaddr_in> Resolve(const HostPort& hp);
// Binds and listens; `what` names the socket in the error ("for peers").
Result<Listener> ListenTcp(const HostPort& hp, const std::string& what);
// A connected socket with TCP_NODELAY, or -1.
int DialTcp(const HostPort& hp);
// Writes all of `data` (false once the peer is gone).
bool WriteFull(int fd, std::string_view data);
void NoDelay(int fd);

}  // namespace raftlab::runner
