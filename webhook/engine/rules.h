#pragma once
// Evaluation of a policy's rules against one request (the "evaluate" half of the
// plan/evaluate split: the policy loader did the planning). Each rule type's check
// lives with its type (policy/rules/); this is the dispatch.
#include <vector>

#include "engine/decision.h"
#include "engine/rule_check.h"
#include "policy/policy.h"

namespace driftgate::engine {

// Appends the rule's violation (at most one per rule, listing every path) to `out`.
void check_rule(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context,
                std::vector<Violation>& out);

// What a `frozen` rule does not guard on an object of `kind`: the server-set and
// runtime fields that are never drift (status, resourceVersion, managedFields…)
// and the rule's `ignore` entries whose `kinds` match. Pointers into the rule and
// a static list. Forensics (scan/forensics.h) reads runtime fields from here too.
// (Defined with the rule type, in policy/rules/frozen.cc.)
std::vector<const path::Path*> frozen_ignores(const policy::Frozen& rule, const GroupVersionKind& kind);

}  // namespace driftgate::engine
