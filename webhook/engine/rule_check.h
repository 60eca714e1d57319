#pragma once
// What a rule type's check sees (RuleContext) and how it reports (ViolationBuilder).
// Every rule type's `check` (policy/rules/*.cc) is written against these two.
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
      : request_(request), now_(now), scratch_(scratch), object_(&request.object), old_object_(&request.old_object) {}

  // The same request, its rules reading the Pod template of a workload (match.podTemplates):
  // `object`/`old_object` are the templates (null when absent), `base` where they lie
  // in the workload, so printed locations are the workload's.
  RuleContext at_pod_template(const json::Value& object, const json::Value& old_object, path::Location base) const;

  const Request& request() const { return request_; }
  TimePoint now() const { return now_; }
  path::Scratch& scratch() const { return scratch_; }
  const std::string& owner() const;

  // What the rules read: the request's objects, or the Pod templates inside them.
  const json::Value& object() const { return *object_; }
  const json::Value& old_object() const { return *old_object_; }
  // oldObject for DELETE, object otherwise (the state a state rule judges).
  const json::Value& subject() const { return request_.operation == policy::kDelete ? *old_object_ : *object_; }
  // Where object() lies in the request's object ("" at its root).
  const path::Location& base() const { return base_; }

  // The text of a template variable for a violation with these paths and detail.
  std::string variable(policy::Variable v, const policy::Policy& policy, const policy::Rule& rule,
                       const std::vector<std::string>& paths, const std::string& detail) const;

 private:
  const Request& request_;
  TimePoint now_;
  path::Scratch& scratch_;
  const json::Value* object_;
  const json::Value* old_object_;
  path::Location base_;
  mutable std::optional<std::string> owner_;
};

// Collects one rule's violation (at most one per rule, listing every path).
class ViolationBuilder {
 public:
  ViolationBuilder(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context,
                   std::vector<Violation>& out)
      : policy_(policy), rule_(rule), context_(context), out_(out) {}

  const RuleContext& context() const { return context_; }
  void add(std::string path);
  void add_detail(std::string detail);
  bool empty() const { return paths_.empty() && detail_.empty(); }
  std::vector<std::string>& paths() { return paths_; }

  // Emits the violation with the rule's message, or `default_message` (compiled
  // once: see policy::Template::builtin) when the rule has none.
  void emit(const policy::Template& default_message);

 private:
  const policy::Policy& policy_;
  const policy::Rule& rule_;
  const RuleContext& context_;
  std::vector<Violation>& out_;
  std::vector<std::string> paths_;
  std::string detail_;
};

// The name, or `generateName*` for a CREATE that lets the API server pick it.
std::string object_name(const Request& r);

// "a, b, c and 7 more"; "the object" when empty.
std::string join_paths(const std::vector<std::string>& paths);

}  // namespace driftgate::engine
