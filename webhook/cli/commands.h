#pragma once
// The offline subcommands of the `driftgate` binary. Each takes argv with
// argv[0] = the subcommand name and returns the process exit code.
namespace driftgate::cli {

int check_command(int argc, char** argv);
int eval_command(int argc, char** argv);
int scan_command(int argc, char** argv);
int test_command(int argc, char** argv);
int webhook_config_command(int argc, char** argv);

// Exit codes shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;     // check: errors; test: failing cases
inline constexpr int kExitBadInput = 2;   // usage errors, unreadable input
inline constexpr int kExitDenied = 3;     // eval: some review was denied; scan: some object
inline constexpr int kExitUnreadable = 4; // scan --cluster: the cluster could not be read

}  // namespace driftgate::cli
