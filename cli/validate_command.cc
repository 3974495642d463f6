// `raftlab validate SCENARIO...`: loads each scenario file and reports the
// first problem in each (file:line:column and what was expected). Exit 0 if
// all are valid, 2 otherwise.
#include <cstdio>

#include "cli/commands.h"
#include "cli/scenario_args.h"

namespace raftlab::cli {
namespace {

int Validate(const std::vector<std::string>& files) {
  int bad = 0;
  for (const std::string& file : files) {
    Result<sim::Scenario> s = sim::LoadScenario(file);
    if (s) {
      std::printf("ok %s (%s: %zu timed faults, nemesis %s, seeds %lu..%lu)\n", file.c_str(),
                  s->name.c_str(), s->config.schedule.size(),
                  s->config.nemesis.enabled ? "on" : "off", s->seed_first, s->seed_last);
    } else {
      PrintError(s.error().message);
      ++bad;
    }
  }
  return bad == 0 ? kExitOk : kExitUsage;
}

}  // namespace

void RegisterValidateCommand(CLI::App& app, int* exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("validate", "Check scenario files without running them");
  cmd->add_option("scenarios", *files, "Scenario files (YAML)")->required();
  cmd->callback([files, exit_code] { *exit_code = Validate(*files); });
}

}  // namespace raftlab::cli
