#include <iostream>
#include <string_view>

#include "cli/commands.h"
#include "policy/loader.h"

namespace driftgate::cli {

int check_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate check DIR

Loads every *.yaml / *.yml file below DIR (recursively) strictly, as `serve` would,
and prints every error as file:line:column: policy "name": what was expected.
Exit status: 0 the set is valid, 1 it has errors, 2 usage error.
)";
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (argc != 2) {
    std::cerr << kHelp;
    return kExitBadInput;
  }
  auto result = policy::load_directory(argv[1]);
  if (!result.ok()) {
    std::cerr << result.error_text();
    std::cerr << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors") << " in " << argv[1]
              << "\n";
    return kExitFailed;
  }
  std::cout << argv[1] << ": " << result.set->policies().size() << " policies in " << result.files
            << " files are valid\n";
  return kExitOk;
}

}  // namespace driftgate::cli
