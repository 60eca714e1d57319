#include "admission/scale_parent.h"

#include <algorithm>

#include "engine/match.h"
#include "kube_kinds/kube_kinds.h"
#include "policy/rule_types.h"

namespace driftgate::admission {
namespace {

// The built-in kind served as group/resource (Deployment for apps deployments),
// or nullptr for a custom resource (its kind comes with the lookup).
const kube_kinds::KindInfo* known_kind(std::string_view group, std::string_view resource) {
  for (const kube_kinds::KindInfo& k : kube_kinds::all_kinds())
    if (k.group == group && k.resource == resource) return &k;
  return nullptr;
}

// Whether some validating policy (of the webhook group) could match an UPDATE of
// the parent, whatever its labels and annotations: operations, namespaces,
// excluded subjects, and the kinds when the kind is known before the lookup.
bool some_policy_may_match(const engine::Request& probe, bool kind_known, const policy::PolicySet& policies,
                           std::string_view webhook_group) {
  const bool filter_group = !webhook_group.empty() && policies.has_webhook_group(webhook_group);
  auto may_match = [&](const policy::Policy& p) {
    if (filter_group && p.webhook_group != webhook_group) return false;
    if (!judges_scale(p)) return false;
    if (kind_known && !engine::kinds_match(p.match.kinds, probe.kind)) return false;
    return engine::request_matches(p.match, probe);
  };
  if (kind_known) {
    for (std::uint32_t index : policies.candidates(probe.kind.kind))
      if (may_match(policies.policies()[index])) return true;
    return false;
  }
  for (const policy::Policy& p : policies.policies())
    if (may_match(p)) return true;
  return false;
}

// {"apiVersion", "kind", "metadata", "spec": {"replicas": replicas}}: the parent as
// the guard sees it, before or after the scale.
json::Value parent_object(const ParentObject& parent, const json::Value& replicas, json::Arena& arena) {
  auto* spec_members = arena.allocate<json::Member>(1);
  spec_members[0] = {"replicas", replicas};
  auto* members = arena.allocate<json::Member>(4);
  members[0] = {"apiVersion", json::Value::string(parent.api_version)};
  members[1] = {"kind", json::Value::string(parent.kind)};
  members[2] = {"metadata", parent.metadata};
  members[3] = {"spec", json::Value::object({spec_members, 1})};
  return json::Value::object({members, 4});
}

json::Value replicas_of(const json::Value& scale) {
  const json::Value* spec = scale.find("spec");
  const json::Value* replicas = spec ? spec->find("replicas") : nullptr;
  return replicas ? *replicas : json::Value{};
}

}  // namespace

bool judges_scale(const policy::Policy& policy) {
  static constexpr std::string_view kReplicas[] = {"spec", "replicas"};
  if (!policy.has_validations || !(policy.match.operations & policy::kUpdate)) return false;
  return std::any_of(policy.rules.begin(), policy.rules.end(), [](const policy::Rule& rule) {
    return std::holds_alternative<policy::Frozen>(rule.spec) || policy::rule_reads(rule.spec, kReplicas);
  });
}

std::string ParentRef::describe() const {
  std::string out(resource);
  if (!group.empty()) out.append(".").append(group);
  out.append(" ");
  if (!namespace_.empty()) out.append(namespace_).append("/");
  return out.append(name);
}

engine::Decision judge_scale(const engine::Request& scale, std::string_view resource_group,
                             std::string_view resource_version, const policy::PolicySet& policies, TimePoint now,
                             std::string_view webhook_group, const Subresources& subresources, json::Arena& arena) {
  const kube_kinds::KindInfo* known = known_kind(resource_group, scale.resource);
  engine::Request parent = scale;
  parent.kind = {resource_group, resource_version, known ? known->kind : std::string_view{}};
  if (!some_policy_may_match(parent, known != nullptr, policies, webhook_group))
    return engine::evaluate(scale, policies, now, engine::Endpoint::Validate, webhook_group);

  const json::Value* scale_metadata = scale.old_object.find("metadata");
  const ParentRef ref{resource_group,
                      resource_version,
                      scale.resource,
                      scale.namespace_,
                      scale.name,
                      scale_metadata ? scale_metadata->string_at("uid") : std::string_view{},
                      scale_metadata ? scale_metadata->string_at("resourceVersion") : std::string_view{}};
  auto found = subresources.parents->find(ref, arena);
  if (!found) {
    engine::Decision decision;
    const std::string what = "driftgate could not look up " + ref.describe() + " to judge this scale by its owner: " +
                             found.error();
    if (subresources.on_failure == LookupFailure::Allow) {
      decision.warnings.push_back(what + "; allowed unjudged (--lookup-failure=allow)");
    } else {
      decision.allowed = false;
      decision.message = what + "; refused (--lookup-failure=deny, the default; retry, or scale through Git)";
    }
    return decision;
  }
  // No such object: the API server answers the write with 404 itself.
  if (!*found) return engine::evaluate(scale, policies, now, engine::Endpoint::Validate, webhook_group);

  const ParentObject& object = **found;
  const auto [group, version] = kube_kinds::split_api_version(object.api_version);
  parent.kind = {group, version, object.kind};
  parent.object = parent_object(object, replicas_of(scale.object), arena);
  parent.old_object = parent_object(object, replicas_of(scale.old_object), arena);
  return engine::evaluate(parent, policies, now, engine::Endpoint::Validate, webhook_group);
}

Result<bool> StaticParents::add(const json::Value& object) {
  const std::string_view api_version = object.string_at("apiVersion"), kind = object.string_at("kind");
  const json::Value* metadata = object.find("metadata");
  const std::string_view name = metadata ? metadata->string_at("name") : std::string_view{};
  if (api_version.empty() || kind.empty() || name.empty())
    return Error{"a parent object needs apiVersion, kind and metadata.name"};
  const std::string group(kube_kinds::split_api_version(api_version).first);
  const kube_kinds::KindInfo* info = kube_kinds::find(group, kind);
  std::string resource = info ? std::string(info->resource) : kube_kinds::guess_resource(kind);
  Key key{group, std::move(resource), std::string(metadata->string_at("namespace")), std::string(name)};
  objects_.insert_or_assign(std::move(key), json::clone(object, arena_));
  return true;
}

Result<std::optional<ParentObject>> StaticParents::find(const ParentRef& ref, json::Arena&) const {
  auto it = objects_.find(Key{std::string(ref.group), std::string(ref.resource), std::string(ref.namespace_),
                              std::string(ref.name)});
  if (it == objects_.end()) return Error{"not among the parent objects given (eval --parents, or a PolicyTest case's parents)"};
  const json::Value* metadata = it->second.find("metadata");
  return std::optional<ParentObject>{ParentObject{it->second.string_at("apiVersion"), it->second.string_at("kind"),
                                                  *metadata, nullptr}};
}

}  // namespace driftgate::admission
