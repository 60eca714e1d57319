#include "policy/rules/pattern.h"

#include <re2/re2.h>

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<Pattern> Pattern::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  const std::string& field = source.field;
  if (!reader.expect_map(n, field, {"path", "regex", "negate"})) return std::nullopt;
  Pattern p;
  if (!n["path"]) reader.error(n, field, "missing path");
  else if (auto path = reader.path_at(n["path"], field + ".path")) p.path = *path;
  if (n["negate"])
    if (auto b = reader.boolean(n["negate"], field + ".negate")) p.negate = *b;
  if (!n["regex"]) {
    reader.error(n, field, "missing regex (RE2 syntax)");
    return std::nullopt;
  }
  p.regex = reader.regex(n["regex"], field + ".regex");
  if (!p.regex) return std::nullopt;
  p.regex_text = p.regex->pattern();
  return p;
}

void Pattern::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{paths}} {{detail}}");
  const engine::RuleContext& ctx = out.context();
  path::walk(
      path, ctx.subject(), ctx.scratch(),
      [&](const path::Location& loc, const json::Value& node) {
        if (!node.is_string()) return;
        auto text = node.as_string();
        bool matched = RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex);
        if (matched == negate) out.add(loc.str());
      },
      ctx.base());
  if (out.empty()) return;
  out.add_detail(std::string(negate ? "must not match " : "must match ") + regex_text);
  out.emit(kMessage);
}

}  // namespace driftgate::policy
