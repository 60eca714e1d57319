#include "policy/rules/state_rule.h"

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<StateRule> StateRule::read(RuleReader& reader, const RuleSource& source) {
  const std::size_t errors_before = reader.error_count();
  const YAML::Node& rule = source.rule;
  // The field of the rule itself: source.field is "spec.rules[i].expect".
  const std::string rule_field = source.field.substr(0, source.field.rfind('.'));
  StateRule out;
  if (const YAML::Node each = rule["forEach"]) {
    const std::string field = rule_field + ".forEach";
    if (each.IsScalar()) {
      if (auto p = reader.path_at(each, field)) out.for_each.push_back(std::move(*p));
    } else if (each.IsSequence() && each.size() > 0) {
      out.for_each = reader.path_list(each, field);
    } else {
      reader.error(each, field, "expected a path or a non-empty list of paths, found " + reader.describe(each));
    }
  }
  const bool relative = !out.for_each.empty() || rule["forEach"];
  if (const YAML::Node when = rule["when"])
    if (auto c = read_condition(reader, when, rule_field + ".when", relative)) out.when = std::move(*c);
  if (auto c = read_condition(reader, source.value, source.field, relative)) out.condition = std::move(*c);
  if (reader.error_count() != errors_before) return std::nullopt;
  return out;
}

bool StateRule::reads(Keys keys) const {
  for (const path::Path& p : for_each)
    if (p.may_touch(keys)) return true;
  return (when && when->reads(keys, for_each)) || condition.reads(keys, for_each);
}

void StateRule::check(engine::ViolationBuilder& out, bool violation_when) const {
  // Names the object; the engine prefixes "policy/rule: " to every denial.
  static const Template kMessage = Template::builtin("{{kind}} {{object}}: {{detail}}");
  const engine::RuleContext& ctx = out.context();
  const json::Value& root = ctx.subject();
  if (!root.is_set()) return;
  auto judge = [&](const json::Value& node, const path::Location& at) {
    const Scope scope{node, at, root, ctx.base(), ctx.scratch()};
    if (when && !holds(*when, scope)) return;
    const bool outcome = holds(condition, scope);
    if (outcome != violation_when) return;
    Explanation why;
    // A plain `deny: {}` under `when` is explained by what made `when` hold.
    if (condition.shape == Condition::Shape::Always && when) explain(*when, scope, true, why);
    else explain(condition, scope, outcome, why);
    if (why.paths.empty() && !at.empty()) why.paths.push_back(at.str());
    for (std::string& p : why.paths) out.add(std::move(p));
    out.add_detail(why.text());
  };
  if (for_each.empty()) {
    judge(root, ctx.base());
  } else {
    for (const path::Path& p : for_each)
      path::walk(
          p, root, ctx.scratch(), [&](const path::Location& at, const json::Value& node) { judge(node, at); },
          ctx.base());
  }
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
