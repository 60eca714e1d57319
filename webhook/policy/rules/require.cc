#include "policy/rules/require.h"

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

// A path ending in a wildcard requires nothing of what it reaches (each element
// has "the rest", which is nothing): it would load and never report.
std::optional<Require> Require::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  const std::string& field = source.field;
  std::vector<path::Path> paths = reader.path_list(n, field);
  if (!n.IsSequence() || paths.size() != n.size()) return Require{std::move(paths)};  // the bad ones are reported
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& segments = paths[i].segments();
    if (segments.empty()) continue;
    const path::Segment::Kind last = segments.back().kind;
    if (last != path::Segment::Kind::AnyIndex && last != path::Segment::Kind::AnyKey &&
        last != path::Segment::Kind::Descendants && last != path::Segment::Kind::KeyGlob)
      continue;
    std::string whole = paths[i].str();
    // `spec.containers[*]` -> "spec.containers"; `metadata.labels.*` -> "metadata.labels".
    std::string parent = whole;
    for (std::string_view tail : {"[*]", ".**", ".*", "**", "*"})
      if (parent.ends_with(tail)) {
        parent.resize(parent.size() - tail.size());
        break;
      }
    std::string advice = parent.empty() ? "name a field of each element, e.g. " + whole + ".name"
                                        : "write " + parent + " to require the " +
                                              (last == path::Segment::Kind::AnyIndex ? "list" : "object") + ", or " +
                                              whole + ".<field> to require a field of every " +
                                              (last == path::Segment::Kind::AnyIndex ? "element" : "value");
    reader.error(n[i], field + "[" + std::to_string(i) + "]",
                 "\"" + whole + "\" ends in a wildcard, so it requires nothing of each " +
                     (last == path::Segment::Kind::AnyIndex ? "element" : "value") + ": " + advice);
  }
  return Require{std::move(paths)};
}

bool Require::reads(Keys keys) const {
  for (const path::Path& p : paths)
    if (p.may_touch(keys)) return true;
  return false;
}

void Require::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{paths}} must be set");
  const engine::RuleContext& ctx = out.context();
  const json::Value& subject = ctx.subject();
  for (const path::Path& p : paths) {
    if (!p.has_wildcard()) {
      bool reached = false;
      path::walk(p, subject, ctx.scratch(), [&](const path::Location&, const json::Value&) { reached = true; });
      if (!reached) out.add(path::str(ctx.base(), p));
      continue;
    }
    // `[*]` paths are checked per element: each element must have the rest.
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    auto split = p.split_at_last_wildcard();
    const path::Path& prefix = split.first;
    const path::Path& rest = split.second;
    path::walk(
        prefix, subject, ctx.scratch(),
        [&](const path::Location& at, const json::Value& node) {
          if (rest.is_root()) return;
          bool reached = false;
          path::walk(rest, node, ctx.scratch(), [&](const path::Location&, const json::Value&) { reached = true; });
          if (!reached) out.add(path::str(at, rest));
        },
        ctx.base());
  }
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
