#pragma once
// `exclusive: {at, fields}`: at most one of the fields is set (at each node `at`
// reaches).
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct Exclusive {
  static constexpr std::string_view kName = "exclusive";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = false;

  path::Path at;  // root when omitted
  std::vector<path::Path> fields;

  static std::optional<Exclusive> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
