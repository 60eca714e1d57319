#pragma once
// What expect and deny share (language 1.1): a condition, judged on the object or
// on each node `forEach` reaches, when `when` holds there. They differ only in
// which outcome of the condition is a violation.
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/condition.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct StateRule {
  std::optional<Condition> when;
  std::vector<path::Path> for_each;  // empty: the object itself
  Condition condition;

  static std::optional<StateRule> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  // A violation wherever the condition's outcome is `violation_when`.
  void check(engine::ViolationBuilder& out, bool violation_when) const;
};

// `expect: condition`: a violation where the condition does not hold.
struct Expect {
  static constexpr std::string_view kName = "expect";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = true;

  StateRule rule;

  static std::optional<Expect> read(RuleReader& reader, const RuleSource& source) {
    auto r = StateRule::read(reader, source);
    return r ? std::optional<Expect>(Expect{std::move(*r)}) : std::nullopt;
  }
  bool reads(Keys keys) const { return rule.reads(keys); }
  void check(engine::ViolationBuilder& out) const { rule.check(out, false); }
};

// `deny: condition`: a violation where the condition holds; `deny: {}` always.
struct Deny {
  static constexpr std::string_view kName = "deny";
  static constexpr Judges kJudges = Judges::State;
  static constexpr bool kScoped = true;

  StateRule rule;

  static std::optional<Deny> read(RuleReader& reader, const RuleSource& source) {
    auto r = StateRule::read(reader, source);
    return r ? std::optional<Deny>(Deny{std::move(*r)}) : std::nullopt;
  }
  bool reads(Keys keys) const { return rule.reads(keys); }
  void check(engine::ViolationBuilder& out) const { rule.check(out, true); }
};

}  // namespace driftgate::policy
