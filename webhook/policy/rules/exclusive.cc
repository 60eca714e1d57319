#include "policy/rules/exclusive.h"

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<Exclusive> Exclusive::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  const std::string& field = source.field;
  if (!reader.expect_map(n, field, {"at", "fields"})) return std::nullopt;
  Exclusive e;
  if (n["at"])
    if (auto p = reader.path_at(n["at"], field + ".at")) e.at = *p;
  if (!n["fields"]) {
    reader.error(n, field, "missing fields: name two or more fields of which at most one may be set");
    return std::nullopt;
  }
  // Fields are relative to `at`: only without it are they the (Pod's) object paths.
  e.fields = n["at"] ? reader.StrictReader::path_list(n["fields"], field + ".fields", reader.limits().max_path_length)
                     : reader.path_list(n["fields"], field + ".fields");
  if (n["fields"].IsSequence() && n["fields"].size() < 2)
    reader.error(n["fields"], field + ".fields", "name at least two fields");
  return e;
}

bool Exclusive::reads(Keys keys) const {
  for (const path::Path& f : fields)
    if (at.join(f).may_touch(keys)) return true;
  return false;
}

void Exclusive::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{paths}} are all set, but they exclude each other ({{detail}})");
  const engine::RuleContext& ctx = out.context();
  std::string names;
  for (const path::Path& f : fields) names += (names.empty() ? "" : ", ") + f.str();
  path::walk(
      at, ctx.subject(), ctx.scratch(),
      [&](const path::Location& where, const json::Value& node) {
        if (!node.is_object()) return;
        std::vector<std::string> set;
        std::size_t fields_set = 0;
        for (const path::Path& field : fields) {
          std::size_t before = set.size();
          path::walk(
              field, node, ctx.scratch(), [&](const path::Location& loc, const json::Value&) { set.push_back(loc.str()); },
              where);
          fields_set += set.size() > before;
        }
        if (fields_set < 2) return;
        for (auto& p : set) out.add(std::move(p));
        out.add_detail("at most one of " + names + " may be set" + (where.empty() ? "" : " at " + where.str()));
      },
      ctx.base());
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
