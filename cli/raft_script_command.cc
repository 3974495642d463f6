// `raftlab raft-script FILE`: runs a Raft interaction script (the format of
// tests/testdata/raft/*.txt) and prints each command with its output, so a
// learner can write their own scenarios step by step.
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "sim/raft/interaction_env.h"
#include "sim/script/datadriven.h"

namespace raftlab::cli {
namespace {

struct RaftScriptOptions {
  std::string file;
  bool check = false;    // compare with the outputs in the file
  bool rewrite = false;  // write the actual outputs back into the file
  uint64_t seed = 1;
};

int RunRaftScript(const RaftScriptOptions& o) {
  Result<script::Script> parsed = script::ReadScript(o.file);
  if (!parsed) {
    std::cerr << "raftlab raft-script: " << parsed.error().message << "\n";
    return kExitUsage;
  }
  sim::InteractionEnv env(o.seed);
  std::vector<std::string> outputs;
  int code = kExitOk;
  for (script::Script::Case& c : parsed->cases) {
    std::string out = env.Handle(c.data);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    for (const std::string& e : c.data.errors) {
      std::cerr << e << "\n";
      code = kExitUsage;
    }
    for (const std::string& v : env.CheckInvariants()) {
      out += "\nINVARIANT VIOLATED: " + v;
      code = kExitViolation;
    }
    if (o.check && out != c.data.expected) {
      std::cerr << c.data.Pos() << ": output differs from the file\n";
      if (code == kExitOk) code = kExitViolation;
    }
    outputs.push_back(out);
    if (!o.rewrite) std::cout << script::RenderCase(c.data, out) << "\n";
    if (code == kExitUsage) return code;
  }
  if (o.rewrite) {
    std::ofstream(o.file, std::ios::trunc) << script::RewriteScript(*parsed, outputs);
    std::cout << "rewrote " << o.file << " (" << outputs.size() << " commands)\n";
  }
  return code;
}

}  // namespace

void RegisterRaftScriptCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<RaftScriptOptions>();
  CLI::App* cmd = app.add_subcommand("raft-script", "Run a Raft interaction script, print its trace");
  cmd->add_option("FILE", o->file, "Script (see tests/testdata/raft/*.txt)")->required();
  cmd->add_flag("--check", o->check, "Exit 1 if an output differs from the one in the file");
  cmd->add_flag("--rewrite", o->rewrite, "Write the actual outputs back into the file");
  cmd->add_option("--seed", o->seed, "Seed of the nodes' election-timeout randomness");
  cmd->callback([o, exit_code] { *exit_code = RunRaftScript(*o); });
}

}  // namespace raftlab::cli
