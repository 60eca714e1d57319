#pragma once
// `pattern: {path, regex, negate}`: every string the path reaches matches (or,
// negated, does not match) an RE2 regex.
#include <memory>
#include <optional>
#include <string>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace re2 {
class RE2;
}

namespace driftgate::policy {

struct Pattern {
  static constexpr std::string_view kName = "pattern";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = false;

  path::Path path;
  std::shared_ptr<const re2::RE2> regex;
  std::string regex_text;
  bool negate = false;

  static std::optional<Pattern> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const { return path.may_touch(keys); }
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
