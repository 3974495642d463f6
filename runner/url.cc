#include "runner/url.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

namespace raftlab::runner {
namespace {

tl::unexpected<Error> Bad(const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, what);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

Result<HostPort> ParseHostPort(const std::string& text, const std::string& whole,
                               bool any_port = false) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Bad(fmt::format("\"{}\": expected host:port", whole));
  }
  HostPort hp;
  hp.host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || (value == 0 && !any_port) ||
      value > 65535) {
    return Bad(fmt::format("\"{}\": expected a port {}-65535 after the host, found \"{}\"", whole,
                           any_port ? 0 : 1, port));
  }
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

}  // namespace

namespace {

Result<HostPort> ParseHttpUrl(const std::string& url, bool any_port) {
  constexpr std::string_view kScheme = "http://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    return Bad(fmt::format("\"{}\": expected an http:// URL (raftlab speaks no TLS)", url));
  }
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    return Bad(fmt::format("\"{}\": expected no path after host:port", url));
  }
  return ParseHostPort(rest, url, any_port);
}

}  // namespace

Result<HostPort> ParseUrl(const std::string& url) { return ParseHttpUrl(url, false); }

Result<HostPort> ParseListenUrl(const std::string& url) { return ParseHttpUrl(url, true); }

Result<std::vector<ClusterMember>> ParseInitialCluster(const std::string& flag) {
  std::vector<ClusterMember> out;
  std::set<std::string> names;
  std::set<std::string> urls;
  for (const std::string& item : Split(flag, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Bad(fmt::format("--initial-cluster: \"{}\": expected name=http://host:port", item));
    }
    ClusterMember m{item.substr(0, eq), item.substr(eq + 1)};
    Result<HostPort> hp = ParseUrl(m.peer_url);
    if (!hp) return Bad("--initial-cluster: " + hp.error().message);
    if (!names.insert(m.name).second) {
      return Bad(fmt::format("--initial-cluster: the name \"{}\" appears twice", m.name));
    }
    if (!urls.insert(m.peer_url).second) {
      return Bad(fmt::format("--initial-cluster: the URL \"{}\" appears twice", m.peer_url));
    }
    out.push_back(std::move(m));
  }
  if (out.size() >= (size_t{1} << 16)) return Bad("--initial-cluster: too many members");
  return out;
}

Result<std::vector<HostPort>> ParseEndpoints(const std::string& flag) {
  std::vector<HostPort> out;
  for (std::string item : Split(flag, ',')) {
    if (item.compare(0, 7, "http://") == 0) item = item.substr(7);
    if (!item.empty() && item.back() == '/') item.pop_back();
    Result<HostPort> hp = ParseHostPort(item, item);
    if (!hp) return Bad("--endpoints: " + hp.error().message);
    out.push_back(*hp);
  }
  return out;
}

}  // namespace raftlab::runner
