#pragma once
// The list of rule types. Adding a type is: its header and source under
// policy/rules/ (see rules/rule_type.h) and one entry in RuleSpec below; the
// reader table, the names, PolicySet::reads and the engine's dispatch all follow
// from the list, and a type that lacks a part does not compile.
#include <array>
#include <optional>
#include <string_view>
#include <variant>

#include "policy/rules/exclusive.h"
#include "policy/rules/forbid.h"
#include "policy/rules/frozen.h"
#include "policy/rules/immutable.h"
#include "policy/rules/monotonic.h"
#include "policy/rules/mutate.h"
#include "policy/rules/pattern.h"
#include "policy/rules/require.h"
#include "policy/rules/state_rule.h"

namespace driftgate::policy {

using RuleSpec = std::variant<Frozen, Exclusive, Require, Forbid, Pattern, Immutable, Monotonic, Mutate, Expect, Deny>;

namespace detail {
template <typename Variant>
struct RuleTypeList;
template <RuleType... Ts>
struct RuleTypeList<std::variant<Ts...>> {
  static constexpr std::array<std::string_view, sizeof...(Ts)> names{Ts::kName...};
};
}  // namespace detail

// Every rule type's key, in RuleSpec's order.
inline constexpr auto kRuleTypeNames = detail::RuleTypeList<RuleSpec>::names;

std::string_view rule_type_name(const RuleSpec& spec);
Judges judges(const RuleSpec& spec);
bool takes_when_and_for_each(std::string_view type);
bool rule_reads(const RuleSpec& spec, Keys keys);

// Reads the rule type named `type` (one of kRuleTypeNames): its reader reports
// every error it finds; nullopt when it cannot build the rule.
std::optional<RuleSpec> read_rule_spec(std::string_view type, RuleReader& reader, const RuleSource& source);

// Adds the rule's violation, if any, to `out`.
void check_rule_spec(const RuleSpec& spec, engine::ViolationBuilder& out);

}  // namespace driftgate::policy
