#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/handle.h"
#include "admission/review_input.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "policy/loader.h"

namespace driftgate::cli {

int eval_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate eval --policies DIR [--now RFC3339] [--mutate] [--audit] FILE...

Evaluates each AdmissionReview FILE (JSON or YAML; - reads standard input) against
the policy set in DIR exactly as `serve` would, and prints the AdmissionReview
response JSON, one line per file.

  --policies DIR   the policy set (required)
  --now RFC3339    evaluate as if it were that time, for break-glass windows
  --mutate         answer as the /mutate endpoint (with the JSON Patch) instead of /validate
  --audit          also print each audit line to standard error

Exit status: 0 every review allowed, 3 some review denied, 2 bad input or policies.
)";
  std::string policies_dir;
  std::optional<TimePoint> now;
  bool mutate = false, audit = false;
  std::vector<std::string> files;
  FlagParser flags("eval", kHelp);
  flags.value("--policies", "DIR", policies_dir, {.required = true});
  flags.value("--now", "RFC3339", [&now](std::string_view v) -> std::optional<std::string> {
    now = parse_rfc3339(v);
    if (now) return std::nullopt;
    std::string refusal = "--now \"";
    return refusal.append(v).append("\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
  });
  flags.toggle("--mutate", mutate);
  flags.toggle("--audit", audit);
  flags.arguments("FILE", files, 1);
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;

  auto loaded = policy::load_directory(policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  const TimePoint when = now.value_or(TimePoint(Clock::now()));
  int exit_code = kExitOk;
  for (const std::string& file : files) {
    auto body = admission::read_review_as_json(file);
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
