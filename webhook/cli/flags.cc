#include "cli/flags.h"

#include <initializer_list>
#include <iostream>

#include "cli/commands.h"

namespace driftgate::cli {
namespace {

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

// `-` alone is standard input, a bare argument.
bool looks_like_flag(std::string_view arg) { return arg.size() > 1 && arg.front() == '-'; }

// Messages are joined piece by piece: `"literal" + std::string` trips GCC 12's
// -Wrestrict false positive at -O2 and above.
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

std::string quoted(std::string_view text) { return join({"\"", text, "\""}); }

}  // namespace

FlagParser::FlagParser(std::string_view command, std::string_view help) : command_(command), help_(help) {}

void FlagParser::value(std::string_view name, std::string_view metavar, std::string& target, FlagUse use) {
  value(
      name, metavar,
      [&target](std::string_view v) -> std::optional<std::string> {
        target = v;
        return std::nullopt;
      },
      use);
}

void FlagParser::value(std::string_view name, std::string_view metavar, Taker take, FlagUse use) {
  Flag flag;
  flag.name = name;
  flag.metavar = metavar;
  flag.take = std::move(take);
  flag.use = use;
  flags_.push_back(std::move(flag));
}

void FlagParser::toggle(std::string_view name, bool& target) {
  Flag flag;
  flag.name = name;
  flag.toggle = &target;
  flags_.push_back(std::move(flag));
}

void FlagParser::arguments(std::string_view metavar, std::vector<std::string>& target, std::size_t at_least) {
  arguments_metavar_ = metavar;
  arguments_ = &target;
  arguments_at_least_ = at_least;
}

FlagParser::Flag* FlagParser::find(std::string_view name) {
  for (Flag& flag : flags_)
    if (flag.name == name) return &flag;
  return nullptr;
}

std::optional<int> FlagParser::parse(int argc, char** argv) {
  bool help = false;
  auto problem = parse_args(argc, argv, help);
  if (help) {
    std::cout << help_;
    return kExitOk;
  }
  if (!problem) return std::nullopt;
  std::cerr << "driftgate " << command_ << ": " << problem->message << "\n";
  if (problem->show_usage) std::cerr << "\n" << help_;
  return kExitBadInput;
}

std::optional<FlagParser::Problem> FlagParser::give(Flag& flag, std::string_view value, bool as_argument) {
  if (value.empty())
    return Problem{as_argument ? join({flag.metavar, " must not be empty"}) : join({flag.name, " needs a value"})};
  if (flag.given) {
    if (!flag.given_as_argument && !as_argument)
      return Problem{join({flag.name, " given twice (", quoted(*flag.given), " and ", quoted(value), ")"})};
    // One through the flag, one as a bare argument.
    const std::string_view first_flag = flag.given_as_argument ? std::string_view() : std::string_view(flag.name);
    const std::string_view second_flag = as_argument ? std::string_view() : std::string_view(flag.name);
    return Problem{join({flag.metavar, " given twice: ", first_flag, first_flag.empty() ? "" : " ", quoted(*flag.given),
                         " and ", second_flag, second_flag.empty() ? "" : " ", quoted(value)})};
  }
  flag.given = std::string(value);
  flag.given_as_argument = as_argument;
  if (auto refused = flag.take(value)) return Problem{*refused, false};
  return std::nullopt;
}

std::optional<FlagParser::Problem> FlagParser::parse_args(int argc, char** argv, bool& help) {
  // --help wins over any other problem of the line, wherever it is.
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    if (is_help(argv[i])) {
      help = true;
      return std::nullopt;
    }
  }

  bool only_arguments = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!only_arguments && arg == "--") {
      only_arguments = true;
      continue;
    }
    if (only_arguments || !looks_like_flag(arg)) {
      Flag* taker = nullptr;
      for (Flag& flag : flags_) {
        if (!flag.use.or_argument) continue;
        // The first bare argument fills the flag's place; after the flag itself
        // was given, a bare argument is the same value a second time.
        if (!flag.given || !flag.given_as_argument) taker = &flag;
        break;
      }
      if (taker) {
        if (auto problem = give(*taker, arg, true)) return problem;
      } else if (arguments_) {
        arguments_->emplace_back(arg);
      } else {
        return Problem{join({"unexpected argument ", quoted(arg)})};
      }
      continue;
    }

    std::string_view name = arg;
    std::optional<std::string_view> attached;  // --name=VALUE
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      attached = arg.substr(eq + 1);
    }
    Flag* flag = find(name);
    if (!flag) return Problem{join({"unknown flag ", quoted(name)})};
    if (flag->toggle) {
      if (attached) return Problem{join({flag->name, " takes no value"})};
      *flag->toggle = true;
      continue;
    }
    std::string_view value;
    if (attached) {
      value = *attached;
    } else if (i + 1 < argc && !looks_like_flag(argv[i + 1])) {
      value = argv[++i];
    } else {
      return Problem{join({flag->name, " needs a value"})};
    }
    if (auto problem = give(*flag, value, false)) return problem;
  }

  for (const Flag& flag : flags_) {
    if (!flag.use.required || flag.given) continue;
    const std::string_view alternative = flag.use.or_argument ? std::string_view(flag.metavar) : std::string_view();
    return Problem{join({alternative, alternative.empty() ? "" : " or ", flag.name, " ", flag.metavar, " is required"})};
  }
  if (arguments_ && arguments_->size() < arguments_at_least_) {
    return Problem{arguments_at_least_ == 1
                       ? join({"at least one ", arguments_metavar_, " is required"})
                       : join({"at least ", std::to_string(arguments_at_least_), " ", arguments_metavar_,
                               " arguments are required"})};
  }
  return std::nullopt;
}

}  // namespace driftgate::cli
