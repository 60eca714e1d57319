#pragma once
// `forbid: [paths]`: none of the paths may be set.
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct Forbid {
  static constexpr std::string_view kName = "forbid";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = false;

  std::vector<path::Path> paths;

  static std::optional<Forbid> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
