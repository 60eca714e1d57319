#pragma once
// `require: [paths]`: every path must be set; a path with `[*]` requires the rest
// of it of every element.
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct Require {
  static constexpr std::string_view kName = "require";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = false;

  std::vector<path::Path> paths;

  static std::optional<Require> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
