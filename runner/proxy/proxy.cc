#include "runner/proxy/proxy.h"


#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runner/proxy/link_proxy.h"
#include "runner/stop_signals.h"
#include "runner/url.h"

namespace raftlab::runner {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

int Fail(const std::string& what) {
  std::fprintf(stderr, "raftlab proxy: %s\n", what.c_str());
  return kExitInput;
}

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int RunProxy(const ProxyOptions& o) {
  // Signals go to one waiting thread, which ends the process cleanly.
  const sigset_t stop_signals = BlockStopSignals();

  if (o.links.empty()) return Fail("--link: at least one link, NAME=LISTEN_URL,TARGET_URL");
  std::map<std::string, std::unique_ptr<LinkProxy>> links;
  for (const std::string& spec : o.links) {
    const size_t eq = spec.find('=');
    const size_t comma = spec.find(',', eq == std::string::npos ? 0 : eq);
    if (eq == 0 || eq == std::string::npos || comma == std::string::npos) {
      return Fail(fmt::format("--link {}: expected NAME=LISTEN_URL,TARGET_URL", spec));
    }
    const std::string name = spec.substr(0, eq);
    if (links.count(name) != 0) return Fail(fmt::format("--link {}: the name {} is taken", spec, name));
    Result<HostPort> listen = ParseListenUrl(spec.substr(eq + 1, comma - eq - 1));
    if (!listen) return Fail(fmt::format("--link {}: listen URL: {}", spec, listen.error().message));
    Result<HostPort> target = ParseUrl(spec.substr(comma + 1));
    if (!target) return Fail(fmt::format("--link {}: target URL: {}", spec, target.error().message));
    Result<std::unique_ptr<LinkProxy>> proxy = LinkProxy::Start(*listen, *target);
    if (!proxy) return Fail(fmt::format("--link {}: {}", spec, proxy.error().message));
    Say(fmt::format("link {} http://{}:{} -> http://{}", name, listen->host, (*proxy)->port(),
                    target->ToString()));
    links[name] = std::move(*proxy);
  }
  std::thread([stop_signals] {
    WaitForStopSignal(stop_signals);
    std::fflush(nullptr);
    std::_Exit(kExitOk);  // sockets close with the process
  }).detach();
  Say("ready");

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string verb, name;
    words >> verb;
    std::vector<LinkProxy*> chosen;
    std::vector<std::string> names;
    bool known = true;
    while (words >> name) {
      auto it = links.find(name);
      if (it == links.end()) {
        Say(fmt::format("error: no link {}", name));
        known = false;
        break;
      }
      chosen.push_back(it->second.get());
      names.push_back(name);
    }
    if (!known) continue;
    if (verb.empty()) continue;
    if (verb == "heal" && chosen.empty()) {
      for (auto& [n, l] : links) l->SetCut(false);
      Say("ok heal");
    } else if ((verb == "cut" || verb == "heal") && !chosen.empty()) {
      for (LinkProxy* l : chosen) l->SetCut(verb == "cut");
      Say(fmt::format("ok {} {}", verb, fmt::join(names, " ")));
    } else {
      Say(fmt::format("error: expected cut NAME..., heal NAME... or heal, got: {}", line));
    }
  }
  for (auto& [n, l] : links) l->Stop();
  return kExitOk;
}

}  // namespace raftlab::runner
