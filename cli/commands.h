// Subcommands of the `raftlab` command line (DESIGN.md §6, a stable contract).
//
// Each Register*Command adds one CLI11 subcommand whose callback stores its
// exit code in *exit_code. Exit codes: 0 success, 1 a property was violated,
// 2 usage or input error, 3 unknown (a checker's limit was reached).
#pragma once

#include <CLI/CLI.hpp>

namespace raftlab::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnknown = 3;


void RegisterDemoCommand(CLI::App& app, int* exit_code);
void RegisterRaftScriptCommand(CLI::App& app, int* exit_code);
void RegisterSimulateCommand(CLI::App& app, int* exit_code);
// Add one Register*Command per subcommand file here.
void RegisterCheckCommand(CLI::App& app, int* exit_code);  // check_command.cc
void RegisterRunCommand(CLI::App& app, int* exit_code);
void RegisterReplayCommand(CLI::App& app, int* exit_code);
void RegisterShrinkCommand(CLI::App& app, int* exit_code);
void RegisterValidateCommand(CLI::App& app, int* exit_code);
void RegisterZooCommand(CLI::App& app, int* exit_code);
void RegisterNodeCommand(CLI::App& app, int* exit_code);     // node_command.cc (runner/)
void RegisterClusterCommand(CLI::App& app, int* exit_code);  // cluster_command.cc
void RegisterLoadCommand(CLI::App& app, int* exit_code);     // load_command.cc
void RegisterProxyCommand(CLI::App& app, int* exit_code);    // proxy_command.cc

struct BugFlags;
// --bug NAME... and --without-bugs (run_command.cc).
void AddBugFlags(CLI::App* cmd, BugFlags* flags);

}  // namespace raftlab::cli
