// `raftlab proxy`: cuttable relays for a live cluster's peer links
// (runner/proxy/proxy.h).
#include <memory>

#include "cli/commands.h"
#include "runner/proxy/proxy.h"

namespace raftlab::cli {

void RegisterProxyCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<runner::ProxyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "proxy", "Relay peer links that can be cut and healed from standard input (live partitions)");
  cmd->add_option("--link", o->links,
                  "NAME=LISTEN_URL,TARGET_URL (repeat); commands on stdin: cut NAME..., heal [NAME...]")
      ->required();
  cmd->callback([o, exit_code] { *exit_code = runner::RunProxy(*o); });
}

}  // namespace raftlab::cli
