#include "policy/rules/forbid.h"

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<Forbid> Forbid::read(RuleReader& reader, const RuleSource& source) {
  return Forbid{reader.path_list(source.value, source.field)};
}

bool Forbid::reads(Keys keys) const {
  for (const path::Path& p : paths)
    if (p.may_touch(keys)) return true;
  return false;
}

void Forbid::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{paths}} must not be set");
  const engine::RuleContext& ctx = out.context();
  for (const path::Path& p : paths)
    path::walk(
        p, ctx.subject(), ctx.scratch(), [&](const path::Location& loc, const json::Value&) { out.add(loc.str()); },
        ctx.base());
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
