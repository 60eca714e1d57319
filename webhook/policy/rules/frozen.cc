#include "policy/rules/frozen.h"

#include "engine/diff.h"
#include "engine/match.h"
#include "engine/rule_check.h"
#include "engine/rules.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {
namespace {

std::vector<Frozen::Ignore> read_ignores(RuleReader& reader, const YAML::Node& n, const std::string& field) {
  std::vector<Frozen::Ignore> out;
  if (!n.IsSequence()) {
    reader.error(n, field, "expected a list of paths or {path, kinds} entries, found " + reader.describe(n));
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      if (auto p = reader.path_at(n[i], f)) out.push_back({std::move(*p), {}});
      continue;
    }
    if (!reader.expect_map(n[i], f, {"path", "kinds"})) continue;
    if (!n[i]["path"] || !n[i]["kinds"]) {
      reader.error(n[i], f, "expected both path and kinds (a plain path ignores it for every kind)");
      continue;
    }
    if (n[i]["kinds"].IsSequence() && n[i]["kinds"].size() == 0) {
      // An empty list would read as "every kind": say so with a plain path instead.
      reader.error(n[i]["kinds"], f + ".kinds", "must name at least one kind (a plain path ignores it for every kind)");
      continue;
    }
    auto p = reader.path_at(n[i]["path"], f + ".path");
    auto kinds = reader.kind_list(n[i]["kinds"], f + ".kinds");
    if (p) out.push_back({std::move(*p), std::move(kinds)});
  }
  return out;
}

}  // namespace

std::optional<Frozen> Frozen::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  if (reader.pod_templates()) {
    // frozen guards whole objects against writes outside Git; a Pod template is no object.
    reader.error(n, source.field, "frozen guards whole objects: it cannot be used with match.podTemplates");
    return std::nullopt;
  }
  Frozen f;
  if (n.IsNull()) return f;
  if (!reader.expect_map(n, source.field, {"ignore"})) return std::nullopt;
  if (n["ignore"]) f.ignore = read_ignores(reader, n["ignore"], source.field + ".ignore");
  return f;
}

void Frozen::check(engine::ViolationBuilder& out) const {
  static const Template kOnCreate =
      Template::builtin("{{kind}} {{object}} carries the markers of {{owner}}; create it through Git instead");
  static const Template kOnDelete = Template::builtin("{{kind}} {{object}} is managed by {{owner}}; delete it in Git instead");
  static const Template kOnUpdate =
      Template::builtin("{{kind}} {{object}} is managed by {{owner}}; change {{paths}} in Git instead");
  const engine::Request& r = out.context().request();
  if (r.source != engine::Source::Admission) return;  // Git's own, or stored: nothing to refuse
  switch (r.operation) {
    case kCreate: out.emit(kOnCreate); return;
    case kDelete: out.emit(kOnDelete); return;
    case kUpdate: {
      auto changed = engine::changed_paths(r.old_object, r.object, engine::frozen_ignores(*this, r.kind));
      if (changed.empty()) return;
      out.paths() = std::move(changed);
      out.emit(kOnUpdate);
      return;
    }
    default: return;
  }
}

}  // namespace driftgate::policy

namespace driftgate::engine {

// Server-set or runtime fields that are never drift (the contract's list, plus
// the deletion markers the API server sets while an object is being deleted).
static const std::vector<path::Path>& always_ignored() {
  static const std::vector<path::Path> paths = [] {
    std::vector<path::Path> out;
    for (const char* p : {"status", "metadata.resourceVersion", "metadata.generation", "metadata.managedFields",
                          "metadata.uid", "metadata.creationTimestamp", "metadata.selfLink",
                          "metadata.deletionTimestamp", "metadata.deletionGracePeriodSeconds"})
      out.push_back(*path::Path::parse(p));
    return out;
  }();
  return paths;
}

std::vector<const path::Path*> frozen_ignores(const policy::Frozen& rule, const GroupVersionKind& kind) {
  std::vector<const path::Path*> ignore;
  for (const path::Path& p : always_ignored()) ignore.push_back(&p);
  for (const policy::Frozen::Ignore& i : rule.ignore)
    if (kinds_match(i.kinds, kind)) ignore.push_back(&i.path);
  return ignore;
}

}  // namespace driftgate::engine
