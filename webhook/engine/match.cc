#include "engine/match.h"

#include <algorithm>

namespace driftgate::engine {
namespace {

bool any_glob(const std::vector<Glob>& globs, std::string_view text) {
  return std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return g.matches(text); });
}

bool any_term(const std::vector<policy::MetadataTerm>& terms, const json::Value& object) {
  if (!object.is_object()) return false;
  return std::any_of(terms.begin(), terms.end(), [&](const policy::MetadataTerm& t) { return t.matches(object); });
}

}  // namespace

bool in_subjects(const policy::Subjects& subjects, const UserInfo& user) {
  if (any_glob(subjects.users, user.username)) return true;
  for (std::string_view group : user.groups)
    if (any_glob(subjects.groups, group)) return true;
  return false;
}

bool selector_holds(const policy::ObjectSelector& selector, const Request& request) {
  // On UPDATE a write must not escape by relabelling: anyOf holds on old OR new,
  // and noneOf excludes only when an entry holds on both.
  const bool update = request.operation == policy::kUpdate;
  const json::Value& subject = request.subject();
  if (!selector.any_of.empty()) {
    bool any = any_term(selector.any_of, subject) || (update && any_term(selector.any_of, request.old_object));
    if (!any) return false;
  }
  for (const policy::MetadataTerm& term : selector.none_of) {
    bool on_subject = subject.is_object() && term.matches(subject);
    bool excluded = update ? on_subject && request.old_object.is_object() && term.matches(request.old_object) : on_subject;
    if (excluded) return false;
  }
  return true;
}

bool kinds_match(const std::vector<policy::KindPattern>& kinds, const GroupVersionKind& kind) {
  return kinds.empty() || std::any_of(kinds.begin(), kinds.end(), [&](const policy::KindPattern& k) {
           return k.matches(kind.group, kind.version, kind.kind);
         });
}

namespace {

// metadata.name, or generateName on a CREATE that lets the API server pick it.
std::string_view name_of(const Request& request) {
  if (!request.name.empty()) return request.name;
  const json::Value* metadata = request.subject().find("metadata");
  return metadata ? metadata->string_at("generateName") : std::string_view{};
}

}  // namespace

bool request_matches(const policy::Match& match, const Request& request) {
  if (!(match.operations & request.operation)) return false;
  if (!match.namespaces.empty() && !any_glob(match.namespaces, request.namespace_)) return false;
  if (any_glob(match.exclude_namespaces, request.namespace_)) return false;
  if (!match.names.empty() && !any_glob(match.names, name_of(request))) return false;
  if (!match.exclude_names.empty() && any_glob(match.exclude_names, name_of(request))) return false;
  if (!match.exclude_subjects.empty() && in_subjects(match.exclude_subjects, request.user)) return false;
  return true;
}

bool matches(const policy::Match& match, const Request& request) {
  if (!kinds_match(match.kinds, request.kind)) return false;
  if (!request_matches(match, request)) return false;
  if (match.object_selector && !selector_holds(*match.object_selector, request)) return false;
  return true;
}

}  // namespace driftgate::engine
