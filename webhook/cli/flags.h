#pragma once
// The one flag parser of the offline commands (check, eval, test, webhook-config),
// so that every command takes its flags the same way and refuses a bad command line
// the same way: the problem named on stderr ("driftgate check: unknown flag
// "--bogus""), then the usage, and exit 2.
//
// Accepted forms: `--name VALUE`, `--name=VALUE`, `--toggle`, bare arguments, and
// `--` after which every argument is bare. `-` alone is a bare argument (standard
// input). A value flag given as a separate argument takes the next argument unless
// that one starts with `-` (and is not `-` alone): `check --policies --help` is a
// missing value, not a directory named "--help"; `--policies=-odd` still works.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftgate::cli {

// How a value flag may or must be given.
struct FlagUse {
  bool required = false;
  // A bare argument may give the value instead (`check DIR` = `check --policies DIR`);
  // giving both is an error, as is a second bare argument.
  bool or_argument = false;
};

class FlagParser {
 public:
  // `command` names the command in errors; `help` is its --help text.
  FlagParser(std::string_view command, std::string_view help);

  // Takes the value, or says why it is refused (the error is shown as is).
  using Taker = std::function<std::optional<std::string>(std::string_view)>;

  // `--name VALUE`, at most once; `metavar` ("DIR") names the value in errors.
  void value(std::string_view name, std::string_view metavar, std::string& target, FlagUse use = {});
  void value(std::string_view name, std::string_view metavar, Taker take, FlagUse use = {});
  // `--name` without a value sets `target` to true.
  void toggle(std::string_view name, bool& target);
  // Bare arguments in order (eval's FILE...); without this, a bare argument that no
  // value flag takes is an error.
  void arguments(std::string_view metavar, std::vector<std::string>& target, std::size_t at_least = 0);

  // argv[0] is the command's name. Returns nothing when the command should run;
  // otherwise the exit code to return at once: kExitOk after printing the help
  // (--help, -h), kExitBadInput after printing the problem and the usage.
  std::optional<int> parse(int argc, char** argv);

 private:
  struct Flag {
    std::string name;
    std::string metavar;  // "" for a toggle
    Taker take;
    FlagUse use;
    bool* toggle = nullptr;
    std::optional<std::string> given;  // the value, once given
    bool given_as_argument = false;
  };
  struct Problem {
    std::string message;
    bool show_usage = true;  // a malformed command line, not a refused value
  };

  std::optional<Problem> parse_args(int argc, char** argv, bool& help);
  std::optional<Problem> give(Flag& flag, std::string_view value, bool as_argument);
  Flag* find(std::string_view name);

  std::string command_;
  std::string help_;
  std::vector<Flag> flags_;
  std::string arguments_metavar_;
  std::vector<std::string>* arguments_ = nullptr;
  std::size_t arguments_at_least_ = 0;
};

}  // namespace driftgate::cli
