#pragma once
// `immutable: [paths]`: once set, a value may not change (UPDATE).
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct Immutable {
  static constexpr std::string_view kName = "immutable";
  static constexpr Judges kJudges = Judges::Transition;
  static constexpr bool kScoped = false;

  std::vector<path::Path> paths;

  static std::optional<Immutable> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
