#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "policy/loader.h"
#include "policytest/policy_test.h"

namespace driftgate::cli {

int check_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate check [--policies] DIR

Loads every *.yaml / *.yml file below DIR (recursively) strictly, as `serve` would,
and prints every error as file:line:column: policy "name": what was expected.
PolicyTest documents are read as strictly (their cases are not run: `driftgate
test` runs them). A set without policies is an error.

  --policies DIR   the policy set (or DIR alone)

Exit status: 0 the set is valid, 1 it has errors, 2 usage error.
)";
  std::string dir;
  FlagParser flags("check", kHelp);
  flags.value("--policies", "DIR", dir, {.required = true, .or_argument = true});
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;

  auto files = policy::read_policy_files(dir);
  if (!files) {
    std::cerr << files.error() << "\n1 error in " << dir << "\n";
    return kExitFailed;
  }
  auto result = policy::load_sources(*files);
  auto tests = policytest::read_tests(*files);
  policy::require_policies(result, dir);
  std::vector<std::string> errors = result.error_strings();
  for (const policy::Diagnostic& d : tests.errors) errors.push_back(d.str());
  if (!errors.empty()) {
    for (const std::string& e : errors) std::cerr << e << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in " << dir << "\n";
    return kExitFailed;
  }
  const std::size_t cases = tests.cases();
  std::cout << dir << ": " << result.set->policies().size() << " policies in " << result.files << " files are valid";
  if (cases > 0) std::cout << ", with " << cases << (cases == 1 ? " PolicyTest case" : " PolicyTest cases");
  std::cout << "\n";
  return kExitOk;
}

}  // namespace driftgate::cli
