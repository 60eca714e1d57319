#pragma once
// Evaluation of each rule type against one request (the "evaluate" half of the
// plan/evaluate split: the policy loader did the planning).
#include <optional>
#include <string>
#include <vector>

#include "engine/decision.h"
#include "engine/request.h"
#include "path/path.h"
#include "policy/policy.h"
#include "util/time.h"

namespace driftgate::engine {

// What every rule of one request sees; the owner is computed on first use.
class RuleContext {
 public:
  RuleContext(const Request& request, TimePoint now, path::Scratch& scratch)
      : request_(request), now_(now), scratch_(scratch) {}

  const Request& request() const { return request_; }
  TimePoint now() const { return now_; }
  path::Scratch& scratch() const { return scratch_; }
  const std::string& owner() const;
  // The text of a template variable for a violation with these paths and detail.
  std::string variable(policy::Variable v, const policy::Policy& policy, const policy::Rule& rule,
                       const std::vector<std::string>& paths, const std::string& detail) const;

 private:
  const Request& request_;
  TimePoint now_;
  path::Scratch& scratch_;
  mutable std::optional<std::string> owner_;
};

// Appends the rule's violation (at most one per rule, listing every path) to `out`.
void check_rule(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context,
                std::vector<Violation>& out);

// The JSON Patch operations of a mutate rule, as comma-separated JSON objects
// appended to `ops` (no brackets). `created` tracks maps the patch already adds so
// later operations add into them instead of replacing them.
void append_patch(const policy::Policy& policy, const policy::Rule& rule, const policy::Mutate& mutate,
                  const RuleContext& context, std::string& ops, std::vector<std::string>& created);

// What a `frozen` rule does not guard on an object of `kind`: the server-set and
// runtime fields that are never drift (status, resourceVersion, managedFields…)
// and the rule's `ignore` entries whose `kinds` match. Pointers into the rule and
// a static list. Forensics (scan/forensics.h) reads runtime fields from here too.
std::vector<const path::Path*> frozen_ignores(const policy::Frozen& rule, const GroupVersionKind& kind);

// "a, b, c and 7 more"; "the object" when empty.
std::string join_paths(const std::vector<std::string>& paths);

}  // namespace driftgate::engine
