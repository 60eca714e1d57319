#include <iostream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/flags.h"
#include "policy/loader.h"

namespace driftgate::cli {

int check_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate check [--policies] DIR

Loads every *.yaml / *.yml file below DIR (recursively) strictly, as `serve` would,
and prints every error as file:line:column: policy "name": what was expected.

  --policies DIR   the policy set (or DIR alone)

Exit status: 0 the set is valid, 1 it has errors, 2 usage error.
)";
  std::string dir;
  FlagParser flags("check", kHelp);
  flags.value("--policies", "DIR", dir, {.required = true, .or_argument = true});
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;

  auto result = policy::load_directory(dir);
  if (!result.ok()) {
    std::cerr << result.error_text();
    std::cerr << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in " << dir << "\n";
    return kExitFailed;
  }
  std::cout << dir << ": " << result.set->policies().size() << " policies in " << result.files
            << " files are valid\n";
  return kExitOk;
}

}  // namespace driftgate::cli
