#include "audit/audit.h"

#include "json/writer.h"

namespace driftgate::audit {

std::string decision_line(const admission::Review& review, const engine::Decision& decision, const Context& context) {
  const engine::Request& r = review.request;
  json::Writer w;
  w.begin_object().field("type", "decision");
  w.field("time", format_rfc3339(context.time));
  w.field("endpoint", context.endpoint);
  w.field("uid", r.uid);
  w.field("user", r.user.username);
  w.strings("groups", r.user.groups);
  w.field("operation", policy::to_string(r.operation));
  w.field("group", r.kind.group);
  w.field("version", r.kind.version);
  w.field("kind", r.kind.kind);
  if (!r.sub_resource.empty()) w.field("subResource", r.sub_resource);
  w.field("namespace", r.namespace_);
  w.field("name", r.name);
  if (!review.field_manager.empty()) w.field("fieldManager", review.field_manager);
  w.field("decision", decision.allowed ? "allowed" : "denied");
  w.field("dryRun", r.dry_run);
  w.strings("policies", decision.matched_policies);
  w.key("violations").begin_array();
  for (const engine::Violation& v : decision.violations) {
    w.begin_object().field("policy", v.policy).field("rule", v.rule).field("mode", policy::to_string(v.mode));
    w.strings("paths", v.paths).field("bypassedByBreakGlass", v.bypassed).end_object();
  }
  w.end_array();
  if (!decision.break_glass.empty()) {
    w.key("breakGlass").begin_array();
    for (const engine::BreakGlassWrite& b : decision.break_glass) {
      w.begin_object().field("policy", b.policy).field("user", b.user).field("until", b.until);
      w.field("reason", b.reason).strings("paths", b.paths).end_object();
    }
    w.end_array();
  }
  w.field("warnings", decision.warnings.size());
  w.field("patched", !decision.patch.empty());
  w.field("latencyMicros", static_cast<long long>(context.latency.count()));
  return w.end_object().take();
}

std::string event_line(TimePoint time, std::string_view level, std::string_view event, std::string_view message,
                       const EventFields& fields) {
  json::Writer w;
  w.begin_object().field("type", "event").field("time", format_rfc3339(time));
  w.field("level", level).field("event", event).field("message", message);
  for (const EventFields::Field& f : fields.fields()) {
    if (const auto* s = std::get_if<std::string>(&f.value)) w.field(f.name, *s);
    else if (const auto* u = std::get_if<std::uint64_t>(&f.value)) w.field(f.name, *u);
    else if (const auto* i = std::get_if<std::int64_t>(&f.value)) w.field(f.name, *i);
    else w.strings(f.name, std::get<std::vector<std::string>>(f.value));
  }
  return w.end_object().take();
}

}  // namespace driftgate::audit
