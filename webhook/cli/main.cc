#include <iostream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#if DRIFTGATE_WITH_SERVER
#include "server/serve_command.h"
#endif

namespace {

using driftgate::cli::kExitBadInput;
using driftgate::cli::kExitOk;

int serve(int argc, char** argv) {
#if DRIFTGATE_WITH_SERVER
  return driftgate::server::serve_command(argc, argv);
#else
  (void)argc;
  (void)argv;
  std::cerr << "driftgate: this build has no server (configured with -DDRIFTGATE_BUILD_SERVER=OFF)\n";
  return kExitBadInput;
#endif
}

int version(int, char**) {
  std::cout << "driftgate " << DRIFTGATE_VERSION << "\n";
  return kExitOk;
}

// Every command, once: dispatch and the usage text are made from this table, so
// a command cannot be run without being listed, or listed without being run.
struct Command {
  std::string_view name;
  std::string_view arguments;  // the synopsis after the name
  std::string_view summary;
  int (*run)(int argc, char** argv);  // argv[0] is the command's name
};

constexpr Command kCommands[] = {
    {"serve", "--policies DIR --tls-cert FILE --tls-key FILE [flags]", "run the HTTPS webhook", serve},
    {"check", "[--policies] DIR", "validate a policy set; errors as file:line:column", driftgate::cli::check_command},
    {"eval", "--policies DIR [--now RFC3339] [--mutate] [--audit] [--parents PATH] FILE...",
     "evaluate AdmissionReviews (JSON or YAML) offline", driftgate::cli::eval_command},
    {"test", "[--policies] DIR", "run the PolicyTest cases kept with a policy set", driftgate::cli::test_command},
    {"scan", "--policies DIR [--from FILE|DIR|- | --manifests FILE|DIR|-] [flags]",
     "find drift and violations in the cluster (or a dump); --manifests: judge rendered manifests in CI",
     driftgate::cli::scan_command},
    {"webhook-config", "--policies DIR [flags]", "print the webhook registrations for a policy set",
     driftgate::cli::webhook_config_command},
    {"version", "", "print the version", version},
};

std::string usage() {
  constexpr std::size_t kSummaryColumn = 46;
  std::string out =
      "driftgate: a Kubernetes admission webhook that keeps what runs equal to what Git says\n\nUsage:\n";
  for (const Command& command : kCommands) {
    std::string synopsis = "  driftgate ";
    synopsis.append(command.name);
    if (!command.arguments.empty()) synopsis.append(" ").append(command.arguments);
    out.append(synopsis);
    // A synopsis too long for the column puts its summary on the next line.
    if (synopsis.size() + 2 > kSummaryColumn) out.append("\n").append(kSummaryColumn, ' ');
    else out.append(kSummaryColumn - synopsis.size(), ' ');
    out.append(command.summary).append("\n");
  }
  out += "\nRun `driftgate COMMAND --help` for a command's flags.\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << usage();
    return kExitBadInput;
  }
  std::string_view name = argv[1];
  if (name == "--version") name = "version";
  for (const Command& command : kCommands)
    if (command.name == name) return command.run(argc - 1, argv + 1);
  if (name == "help" || name == "--help" || name == "-h") {
    std::cout << usage();
    return kExitOk;
  }
  std::cerr << "driftgate: unknown command \"" << name << "\"\n\n" << usage();
  return kExitBadInput;
}
