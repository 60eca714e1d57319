#include "scan/forensics.h"

#include <algorithm>

#include "engine/match.h"
#include "engine/request.h"
#include "engine/rules.h"

namespace driftgate::scan {
namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A stored object seen as an UPDATE that changes nothing: what a policy's `match`
// is asked about. The writer is unknown (a manager name is no identity), so
// excludeSubjects is not consulted: the caller leaves user empty and skips it.
engine::Request as_update(const json::Value& object) {
  engine::Request r;
  r.operation = policy::kUpdate;
  r.object = object;
  r.old_object = object;
  std::string_view api = object.string_at("apiVersion");
  auto slash = api.find('/');
  r.kind = slash == std::string_view::npos
               ? engine::GroupVersionKind{"", api, object.string_at("kind")}
               : engine::GroupVersionKind{api.substr(0, slash), api.substr(slash + 1), object.string_at("kind")};
  if (const json::Value* md = object.find("metadata")) {
    r.name = md->string_at("name");
    r.namespace_ = md->string_at("namespace");
  }
  return r;
}

bool guards(const policy::Match& match, const engine::Request& r) {
  if (!(match.operations & policy::kUpdate)) return false;
  if (!engine::kinds_match(match.kinds, r.kind)) return false;
  auto any = [](const std::vector<Glob>& globs, std::string_view text) {
    return std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return g.matches(text); });
  };
  if (!match.namespaces.empty() && !any(match.namespaces, r.namespace_)) return false;
  if (any(match.exclude_namespaces, r.namespace_)) return false;
  if (match.object_selector && !engine::selector_holds(*match.object_selector, r)) return false;
  return true;
}

struct Guard {
  const policy::Policy* policy;
  const policy::Rule* rule;
  std::vector<const path::Path*> ignore;
};

}  // namespace

const std::vector<std::string>& ManagerConfig::gitops_writers(engine::GitOpsTool tool) const {
  static const std::vector<std::string> none;
  switch (tool) {
    case engine::GitOpsTool::None: break;
    case engine::GitOpsTool::FluxHelmRelease: return flux_helm_release;
    case engine::GitOpsTool::FluxKustomization: return flux_kustomization;
    case engine::GitOpsTool::ArgoCD: return argo_cd;
    case engine::GitOpsTool::Helm: return helm;
  }
  return none;
}

std::string Finding::str() const {
  std::string out = kind + " ";
  if (!namespace_.empty()) out += namespace_ + "/";
  out += name + " (" + owner + "): " + path;
  out += operation == "Apply" ? " applied by " : " set by ";
  out += manager.empty() ? std::string("a manager without a name") : manager;
  if (!subresource.empty()) out += " through /" + subresource;
  out += time ? " at " + format_rfc3339(*time) : std::string(", no time recorded");
  return out;
}

Result<ObjectForensics> forensics(const json::Value& object, const policy::PolicySet& policies,
                                  const ForensicsOptions& options) {
  ObjectForensics result;
  result.object = object_name(object);
  const json::Value* metadata = object.find("metadata");
  const json::Value* managed = metadata ? metadata->find("managedFields") : nullptr;
  result.has_managed_fields = managed && managed->is_set();
  result.owner = engine::find_gitops_owner(object);
  if (result.owner.tool == engine::GitOpsTool::None) return result;

  const engine::Request request = as_update(object);
  std::vector<Guard> found;
  for (std::uint32_t i : policies.candidates(request.kind.kind)) {
    const policy::Policy& p = policies.policies()[i];
    if (!guards(p.match, request)) continue;
    for (const policy::Rule& rule : p.rules) {
      const auto* frozen = std::get_if<policy::Frozen>(&rule.spec);
      if (!frozen) continue;
      found.push_back({&p, &rule, engine::frozen_ignores(*frozen, request.kind)});
      result.guards.push_back(p.name + "/" + rule.name);
    }
  }
  if (found.empty()) return result;

  auto entries = read_managed_fields(object, options.limits);
  if (!entries) return Error{entries.error()};

  const std::vector<std::string>& gitops = options.managers.gitops_writers(result.owner.tool);
  // Fields the GitOps tool owns too: two managers own a field together only when
  // they set the same value (an Apply that agrees), so its value is Git's.
  std::vector<const FieldPath*> gitops_fields;
  for (const ManagedFieldsEntry& e : *entries)
    if (contains(gitops, e.manager))
      for (const FieldPath& f : e.fields) gitops_fields.push_back(&f);

  const std::string owner = result.owner.str();
  for (const ManagedFieldsEntry& e : *entries) {
    if (contains(gitops, e.manager) || contains(options.managers.runtime_writers, e.manager)) continue;
    for (const FieldPath& field : e.fields) {
      if (std::any_of(gitops_fields.begin(), gitops_fields.end(),
                      [&](const FieldPath* g) { return field.within(*g); }))
        continue;
      const path::Location location = field.location();
      const Guard* guard = nullptr;
      for (const Guard& g : found) {
        bool ignored = std::any_of(g.ignore.begin(), g.ignore.end(),
                                   [&](const path::Path* p) { return path::covers(*p, location); });
        if (!ignored) {
          guard = &g;
          break;
        }
      }
      if (!guard) continue;
      Finding f;
      f.api_version = std::string(object.string_at("apiVersion"));
      f.kind = std::string(request.kind.kind);
      f.namespace_ = std::string(request.namespace_);
      f.name = std::string(request.name);
      f.uid = metadata ? std::string(metadata->string_at("uid")) : std::string();
      f.owner = owner;
      f.path = field.str();
      f.path_resolved = field.resolved();
      f.manager = e.manager;
      f.operation = e.operation;
      f.subresource = e.subresource;
      f.time = e.time;
      f.policy = guard->policy->name;
      f.rule = guard->rule->name;
      result.findings.push_back(std::move(f));
    }
  }
  return result;
}

}  // namespace driftgate::scan
