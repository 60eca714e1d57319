#pragma once
// The shape every rule type has (policy/rules/<type>.h): one struct per type that
// holds its compiled spec and knows its name, how it is read, what it reads, what
// it judges and how it is checked. policy/rule_types.h lists the types; a type
// that lacks any of these does not compile (the RuleType concept), and neither
// does one missing from a dispatch (every dispatch visits the whole list).
#include <concepts>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}
namespace driftgate::engine {
class ViolationBuilder;
}

namespace driftgate::policy {

class RuleReader;

// What a rule judges. A state rule judges one object (the new one, oldObject on
// DELETE; a background scan judges stored objects with these). A transition rule
// judges a change between oldObject and object (or a write itself: frozen). A
// patch rule judges nothing: it writes (mutate).
enum class Judges { State, Transition, Patch };

// A rule as written: the value of its type key (`require: [...]`), the whole rule
// mapping (for rule-level fields such as when/forEach) and the field name for errors.
struct RuleSource {
  const YAML::Node& value;
  const YAML::Node& rule;
  const std::string& field;  // "spec.rules[3].require"
};

using Keys = std::span<const std::string_view>;

template <typename T>
concept RuleType = requires(const T& rule, RuleReader& reader, const RuleSource& source, Keys keys,
                            engine::ViolationBuilder& out) {
  { T::kName } -> std::convertible_to<std::string_view>;
  { T::kJudges } -> std::convertible_to<Judges>;
  // Whether the rule takes the rule-level `when` and `forEach` (state rules do).
  { T::kScoped } -> std::convertible_to<bool>;
  { T::read(reader, source) } -> std::same_as<std::optional<T>>;
  // Whether evaluating the rule could read the node at `keys` (PolicySet::reads).
  { rule.reads(keys) } -> std::same_as<bool>;
  // Adds the rule's violation, if any, to `out` (out.context() is the request).
  { rule.check(out) } -> std::same_as<void>;
};

}  // namespace driftgate::policy
