#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.h"
#if DRIFTGATE_WITH_SERVER
#include "server/serve_command.h"
#endif

namespace {

constexpr std::string_view kUsage = R"(driftgate: a Kubernetes admission webhook that keeps what runs equal to what Git says

Usage:
  driftgate serve --policies DIR --tls-cert FILE --tls-key FILE [flags]   run the HTTPS webhook
  driftgate check DIR                         validate a policy set; errors as file:line:column
  driftgate eval --policies DIR [--now RFC3339] [--mutate] [--audit] FILE...
                                              evaluate AdmissionReviews (JSON or YAML) offline
  driftgate test DIR                          run the PolicyTest cases kept with a policy set
  driftgate webhook-config --policies DIR     print the webhook registrations for a policy set
  driftgate version                           print the version

Run `driftgate COMMAND --help` for a command's flags.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return driftgate::cli::kExitBadInput;
  }
  std::string_view command = argv[1];
  if (command == "serve") {
#if DRIFTGATE_WITH_SERVER
    return driftgate::server::serve_command(argc - 1, argv + 1);
#else
    std::cerr << "driftgate: this build has no server (configured with -DDRIFTGATE_BUILD_SERVER=OFF)\n";
    return driftgate::cli::kExitBadInput;
#endif
  }
  if (command == "check") return driftgate::cli::check_command(argc - 1, argv + 1);
  if (command == "eval") return driftgate::cli::eval_command(argc - 1, argv + 1);
  if (command == "test") return driftgate::cli::test_command(argc - 1, argv + 1);
  if (command == "webhook-config") return driftgate::cli::webhook_config_command(argc - 1, argv + 1);
  if (command == "version" || command == "--version") {
    std::cout << "driftgate " << DRIFTGATE_VERSION << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "driftgate: unknown command \"" << command << "\"\n\n" << kUsage;
  return driftgate::cli::kExitBadInput;
}
