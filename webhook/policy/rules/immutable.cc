#include "policy/rules/immutable.h"

#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<Immutable> Immutable::read(RuleReader& reader, const RuleSource& source) {
  return Immutable{reader.path_list(source.value, source.field)};
}

bool Immutable::reads(Keys keys) const {
  for (const path::Path& p : paths)
    if (p.may_touch(keys)) return true;
  return false;
}

void Immutable::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{paths}} cannot change once set");
  const engine::RuleContext& ctx = out.context();
  const engine::Request& r = ctx.request();
  if (r.operation != kUpdate) return;
  // Locations include the base (a workload's template), so they are looked up in
  // the whole new object.
  for (const path::Path& p : paths)
    path::walk(
        p, ctx.old_object(), ctx.scratch(),
        [&](const path::Location& loc, const json::Value& old_value) {
          const json::Value* new_value = path::lookup(r.object, loc, ctx.scratch());
          if (!new_value || !(*new_value == old_value)) out.add(loc.str());
        },
        ctx.base());
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
