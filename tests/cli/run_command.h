#pragma once
// Runs a shell command as given (its redirections included) and keeps what it
// wrote to stdout and how it exited: the CLI tests run the real binary this way.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace driftgate::cli_testing {

struct CommandResult {
  int exit_code = -1;  // -1: not started, or ended by a signal
  std::string output;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace driftgate::cli_testing
