// `raftlab proxy`: link proxies (link_proxy.h) for a live cluster's
// network, controlled line by line on standard input, so a test script can
// cut and heal links while members run:
//
//   raftlab proxy --link n1-n2=http://127.0.0.1:40012,http://127.0.0.1:30002 ...
//
// Each --link NAME=LISTEN,TARGET relays connections made to LISTEN (port 0:
// any free port, printed) on to TARGET. Point a member at it with `raftlab node --peer-dial`. Once every
// link listens, the proxy prints one line per link and then `ready`.
// Commands on standard input, each answered on standard output with one
// line (`ok ...` or `error: ...`) once it has taken effect:
//
//   cut NAME...    closes the links' connections and refuses new ones
//   heal NAME...   lets connections through again
//   heal           heals every link
//
// End of input, SIGTERM or SIGINT stops it: exit 0. Exit 2 for bad flags or
// an address in use.
#pragma once

#include <string>
#include <vector>

namespace raftlab::runner {

struct ProxyOptions {
  std::vector<std::string> links;  // NAME=LISTEN_URL,TARGET_URL
};

int RunProxy(const ProxyOptions& options);

}  // namespace raftlab::runner
