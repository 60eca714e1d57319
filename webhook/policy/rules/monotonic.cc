#include "policy/rules/monotonic.h"

#include "engine/order.h"
#include "engine/rule_check.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {

std::optional<Monotonic> Monotonic::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  const std::string& field = source.field;
  if (!reader.expect_map(n, field, {"path", "order"})) return std::nullopt;
  Monotonic m;
  if (!n["path"]) reader.error(n, field, "missing path");
  else if (auto path = reader.path_at(n["path"], field + ".path")) m.path = *path;
  if (n["order"]) {
    if (auto order = reader.scalar(n["order"], field + ".order")) {
      if (*order == "integer") m.order = Order::Integer;
      else if (*order == "semver") m.order = Order::Semver;
      else if (*order == "time") m.order = Order::Time;
      else reader.error(n["order"], field + ".order", "unknown order \"" + *order + "\", expected integer, semver or time");
    }
  } else {
    reader.error(n, field, "missing order (integer, semver or time)");
  }
  return m;
}

void Monotonic::check(engine::ViolationBuilder& out) const {
  static const Template kMessage = Template::builtin("{{detail}}: a superseded deploy must not roll back");
  const engine::RuleContext& ctx = out.context();
  const engine::Request& r = ctx.request();
  if (r.operation != kUpdate) return;
  path::walk(
      path, ctx.old_object(), ctx.scratch(),
      [&](const path::Location& loc, const json::Value& old_value) {
        const json::Value* new_value = path::lookup(r.object, loc, ctx.scratch());
        if (!new_value || !engine::readable(old_value, order)) return;  // removed, or nothing to guard
        auto c = engine::compare(*new_value, old_value, order);
        if (!c) {
          out.add(loc.str());
          out.add_detail(loc.str() + " " + json::to_string(*new_value) + " is not a valid " +
                         std::string(engine::order_name(order)));
        } else if (*c < 0) {
          out.add(loc.str());
          out.add_detail(loc.str() + " went backwards from " + json::to_string(old_value) + " to " +
                         json::to_string(*new_value));
        }
      },
      ctx.base());
  if (!out.empty()) out.emit(kMessage);
}

}  // namespace driftgate::policy
