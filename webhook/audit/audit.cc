#include "audit/audit.h"

#include "json/value.h"

namespace driftgate::audit {
namespace {

void field(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(',');
  json::write_string(key, out);
  out.push_back(':');
  json::write_string(value, out);
}

void string_array(std::string& out, std::string_view key, const auto& values) {
  out.push_back(',');
  json::write_string(key, out);
  out += ":[";
  bool first = true;
  for (const auto& v : values) {
    if (!first) out.push_back(',');
    first = false;
    json::write_string(v, out);
  }
  out.push_back(']');
}

}  // namespace

std::string decision_line(const admission::Review& review, const engine::Decision& decision, const Context& context) {
  const engine::Request& r = review.request;
  std::string out = "{\"type\":\"decision\"";
  field(out, "time", format_rfc3339(context.time));
  field(out, "endpoint", context.endpoint);
  field(out, "uid", r.uid);
  field(out, "user", r.user.username);
  string_array(out, "groups", r.user.groups);
  field(out, "operation", policy::to_string(r.operation));
  field(out, "group", r.kind.group);
  field(out, "version", r.kind.version);
  field(out, "kind", r.kind.kind);
  if (!r.sub_resource.empty()) field(out, "subResource", r.sub_resource);
  field(out, "namespace", r.namespace_);
  field(out, "name", r.name);
  if (!review.field_manager.empty()) field(out, "fieldManager", review.field_manager);
  field(out, "decision", decision.allowed ? "allowed" : "denied");
  out += r.dry_run ? ",\"dryRun\":true" : ",\"dryRun\":false";
  string_array(out, "policies", decision.matched_policies);
  out += ",\"violations\":[";
  bool first = true;
  for (const engine::Violation& v : decision.violations) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"policy\":";
    json::write_string(v.policy, out);
    field(out, "rule", v.rule);
    field(out, "mode", policy::to_string(v.mode));
    string_array(out, "paths", v.paths);
    out += v.bypassed ? ",\"bypassedByBreakGlass\":true}" : ",\"bypassedByBreakGlass\":false}";
  }
  out += "]";
  if (!decision.break_glass.empty()) {
    out += ",\"breakGlass\":[";
    first = true;
    for (const engine::BreakGlassWrite& b : decision.break_glass) {
      if (!first) out.push_back(',');
      first = false;
      out += "{\"policy\":";
      json::write_string(b.policy, out);
      field(out, "user", b.user);
      field(out, "until", b.until);
      field(out, "reason", b.reason);
      string_array(out, "paths", b.paths);
      out += "}";
    }
    out += "]";
  }
  out += ",\"warnings\":" + std::to_string(decision.warnings.size());
  out += decision.patch.empty() ? ",\"patched\":false" : ",\"patched\":true";
  out += ",\"latencyMicros\":" + std::to_string(context.latency.count());
  out += "}";
  return out;
}

std::string event_line(TimePoint time, std::string_view level, std::string_view event, std::string_view message,
                       std::string_view fields) {
  std::string out = "{\"type\":\"event\"";
  field(out, "time", format_rfc3339(time));
  field(out, "level", level);
  field(out, "event", event);
  field(out, "message", message);
  if (!fields.empty()) {
    out.push_back(',');
    out += fields;
  }
  out += "}";
  return out;
}

}  // namespace driftgate::audit
