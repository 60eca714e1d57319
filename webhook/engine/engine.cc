#include "engine/engine.h"

#include "engine/break_glass.h"
#include "engine/match.h"
#include "engine/rules.h"
#include "json/writer.h"
#include "policy/pod_templates.h"
#include "policy/rule_types.h"

namespace driftgate::engine {
namespace {

std::string violation_text(const Violation& v) { return v.policy + "/" + v.rule + ": " + v.message; }

std::string break_glass_warning(const BreakGlassWrite& w) {
  return "break-glass by " + w.user + " until " + w.until + " (" + w.reason + "): " + w.policy + " allowed " +
         join_paths(w.paths) + "; commit the change to Git";
}

void evaluate_mutations(const policy::Policy& policy, const RuleContext& context, json::Writer& ops,
                        std::vector<std::string>& created) {
  const Request& request = context.request();
  if (request.operation == policy::kDelete) return;  // a patch on DELETE is an error
  std::optional<BreakGlassCheck> break_glass;
  for (const policy::Rule& rule : policy.rules) {
    const auto* mutate = std::get_if<policy::Mutate>(&rule.spec);
    if (!mutate) continue;
    if (mutate->when == policy::Mutate::When::BreakGlass) {
      if (!break_glass) break_glass = check_break_glass(*policy.break_glass, request, context.now());
      if (!break_glass->valid) continue;
    }
    mutate->append_patch(policy, rule, context, ops, created);
  }
}

// Under match.podTemplates a workload's rules read its Pod template; nullopt when
// the object has none (nothing to judge).
std::optional<RuleContext> pod_template_context(const RuleContext& context) {
  const Request& r = context.request();
  const policy::PodTemplateKind* workload = policy::find_pod_template_kind(r.kind.group, r.kind.kind);
  if (!workload) return std::nullopt;
  static const json::Value kNotSet;
  auto find = [&](const json::Value& object) -> const json::Value& {
    const json::Value* node = &object;
    for (std::string_view key : workload->at())
      if (!(node = node->find(key))) return kNotSet;
    return *node;
  };
  const json::Value& object = find(r.object);
  const json::Value& old_object = find(r.old_object);
  if (!(r.operation == policy::kDelete ? old_object : object).is_object()) return std::nullopt;
  path::Location base;
  for (std::string_view key : workload->at()) base.push_key(key);
  return context.at_pod_template(object, old_object, std::move(base));
}

void evaluate_validations(const policy::Policy& policy, const RuleContext& request_context, Decision& decision,
                          std::vector<std::string>& denials) {
  const bool on_template = policy.match.pod_templates && request_context.request().kind.kind != "Pod";
  const std::optional<RuleContext> template_context =
      on_template ? pod_template_context(request_context) : std::nullopt;
  if (on_template && !template_context) return;
  const RuleContext& context = template_context ? *template_context : request_context;
  std::vector<Violation> violations;
  const bool stored = context.request().source == Source::Stored;
  for (const policy::Rule& rule : policy.rules)
    if (!stored || policy::judges(rule.spec) == policy::Judges::State) check_rule(policy, rule, context, violations);
  if (violations.empty()) return;

  if (policy.break_glass) {
    BreakGlassCheck check = check_break_glass(*policy.break_glass, context.request(), context.now());
    if (check.valid) {
      BreakGlassWrite write{policy.name, std::string(context.request().user.username), check.until, check.reason, {}};
      for (Violation& v : violations) {
        v.bypassed = true;
        for (const std::string& p : v.paths)
          if (std::find(write.paths.begin(), write.paths.end(), p) == write.paths.end()) write.paths.push_back(p);
      }
      decision.warnings.push_back(break_glass_warning(write));
      decision.break_glass.push_back(std::move(write));
    } else if (check.attempted) {
      std::string why;
      for (const std::string& f : check.failures) why += (why.empty() ? "" : "; ") + f;
      for (Violation& v : violations) v.message += " (break-glass refused: " + why + ")";
    }
  }

  for (Violation& v : violations) {
    if (v.bypassed) continue;
    switch (v.mode) {
      case policy::Mode::Enforce: denials.push_back(violation_text(v)); break;
      case policy::Mode::Warn: decision.warnings.push_back(violation_text(v)); break;
      case policy::Mode::Audit: break;
    }
  }
  for (Violation& v : violations) decision.violations.push_back(std::move(v));
}

}  // namespace

Decision evaluate(const Request& request, const policy::PolicySet& policies, TimePoint now, Endpoint endpoint,
                  std::string_view webhook_group) {
  const bool filter_group = !webhook_group.empty() && policies.has_webhook_group(webhook_group);
  Decision decision;
  path::Scratch scratch;
  RuleContext context(request, now, scratch);
  std::vector<std::string> denials;
  // The JSON Patch: an array the mutate rules write their operations into.
  json::Writer patch;
  if (endpoint == Endpoint::Mutate) patch.begin_array();
  std::vector<std::string> created;

  for (std::uint32_t index : policies.candidates(request.kind.kind)) {
    const policy::Policy& policy = policies.policies()[index];
    if (!(policy.match.operations & request.operation)) continue;
    if (filter_group && policy.webhook_group != webhook_group) continue;
    if (endpoint == Endpoint::Mutate ? !policy.has_mutations : !policy.has_validations) continue;
    if (!matches(policy.match, request)) continue;
    decision.matched_policies.push_back(policy.name);
    if (endpoint == Endpoint::Mutate)
      evaluate_mutations(policy, context, patch, created);
    else
      evaluate_validations(policy, context, decision, denials);
  }

  if (!denials.empty()) {
    decision.allowed = false;
    for (const std::string& d : denials) decision.message += (decision.message.empty() ? "" : "; ") + d;
  }
  if (endpoint == Endpoint::Mutate && patch.text().size() > 1) decision.patch = patch.end_array().take();  // not "["
  return decision;
}

}  // namespace driftgate::engine
