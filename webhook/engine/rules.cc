#include "engine/rules.h"

namespace driftgate::engine {

void check_rule(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context,
                std::vector<Violation>& out) {
  ViolationBuilder builder(policy, rule, context, out);
  policy::check_rule_spec(rule.spec, builder);
}

}  // namespace driftgate::engine
