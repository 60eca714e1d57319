#pragma once
// `monotonic: {path, order}`: on UPDATE a value may not go backwards in its order
// (integer, semver, time).
#include <optional>

#include "path/path.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

enum class Order { Integer, Semver, Time };

struct Monotonic {
  static constexpr std::string_view kName = "monotonic";
  static constexpr Judges kJudges = Judges::Transition;
  static constexpr bool kScoped = false;

  path::Path path;
  Order order = Order::Integer;

  static std::optional<Monotonic> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const { return path.may_touch(keys); }
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
