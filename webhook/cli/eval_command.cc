#include <iostream>
#include <string>
#include <vector>

#include "admission/handle.h"
#include "cli/commands.h"
#include "cli/review_input.h"
#include "policy/loader.h"

namespace driftgate::cli {

int eval_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate eval --policies DIR [--now RFC3339] [--mutate] [--audit] FILE...

Evaluates each AdmissionReview FILE (JSON or YAML; - reads standard input) against
the policy set in DIR exactly as `serve` would, and prints the AdmissionReview
response JSON, one line per file.

  --policies DIR   the policy set
  --now TIME       evaluate as if it were TIME (RFC 3339), for break-glass windows
  --mutate         answer as the /mutate endpoint (with the JSON Patch) instead of /validate
  --audit          also print each audit line to standard error

Exit status: 0 every review allowed, 3 some review denied, 2 bad input or policies.
)";
  std::string policies_dir;
  std::optional<TimePoint> now;
  bool mutate = false, audit = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (i + 1 >= argc) {
        std::cerr << "driftgate eval: " << flag << " needs a value\n";
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kHelp;
      return kExitOk;
    } else if (arg == "--policies") {
      auto v = value(arg);
      if (!v) return kExitBadInput;
      policies_dir = *v;
    } else if (arg == "--now") {
      auto v = value(arg);
      if (!v) return kExitBadInput;
      now = parse_rfc3339(*v);
      if (!now) {
        std::cerr << "driftgate eval: --now \"" << *v << "\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z\n";
        return kExitBadInput;
      }
    } else if (arg == "--mutate") {
      mutate = true;
    } else if (arg == "--audit") {
      audit = true;
    } else if (arg.size() > 1 && arg.front() == '-' ) {
      std::cerr << "driftgate eval: unknown flag " << arg << "\n\n" << kHelp;
      return kExitBadInput;
    } else {
      files.emplace_back(arg);
    }
  }
  if (policies_dir.empty() || files.empty()) {
    std::cerr << kHelp;
    return kExitBadInput;
  }
  auto loaded = policy::load_directory(policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  const TimePoint when = now.value_or(TimePoint(Clock::now()));
  int exit_code = kExitOk;
  for (const std::string& file : files) {
    auto body = read_review_as_json(file);
    if (!body) {
      std::cerr << "driftgate eval: " << body.error() << "\n";
      exit_code = kExitBadInput;
      continue;
    }
    auto outcome = admission::handle(*body, mutate ? engine::Endpoint::Mutate : engine::Endpoint::Validate,
                                     *loaded.set, when);
    if (outcome.http_status != 200) {
      std::cerr << "driftgate eval: " << file << ": " << outcome.error << "\n";
      exit_code = kExitBadInput;
      continue;
    }
    std::cout << outcome.body << "\n";
    if (audit) std::cerr << outcome.audit_line << "\n";
    if (!outcome.decision.allowed && exit_code == kExitOk) exit_code = kExitDenied;
  }
  return exit_code;
}

}  // namespace driftgate::cli
