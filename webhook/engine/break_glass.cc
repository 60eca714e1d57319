#include "engine/break_glass.h"

#include "engine/match.h"

namespace driftgate::engine {
namespace {

std::string join_globs(const std::vector<Glob>& globs) {
  std::string out;
  for (const Glob& g : globs) out += (out.empty() ? "" : ", ") + g.pattern();
  return out;
}

}  // namespace

BreakGlassCheck check_break_glass(const policy::BreakGlass& config, const Request& request, TimePoint now) {
  BreakGlassCheck check;
  const json::Value* metadata = request.subject().find("metadata");
  const json::Value* annotations = metadata ? metadata->find("annotations") : nullptr;
  if (!annotations) return check;
  const json::Value* until = annotations->find(kBreakGlassUntil);
  const json::Value* reason = annotations->find(kBreakGlassReason);
  if (!(until && until->is_set()) && !(reason && reason->is_set())) return check;
  check.attempted = true;
  check.until = until && until->is_string() ? std::string(until->as_string()) : "";
  check.reason = reason && reason->is_string() ? std::string(reason->as_string()) : "";

  if (!in_subjects(config.allowed, request.user)) {
    std::string who;
    if (!config.allowed.groups.empty()) who += "groups " + join_globs(config.allowed.groups);
    if (!config.allowed.users.empty()) who += (who.empty() ? "users " : " or users ") + join_globs(config.allowed.users);
    check.failures.push_back("user " + std::string(request.user.username) + " may not break glass (allowed: " + who + ")");
  }
  if (check.reason.find_first_not_of(" \t") == std::string::npos)
    check.failures.push_back("missing reason: set " + std::string(kBreakGlassReason));
  if (!until || !until->is_set()) {
    check.failures.push_back("missing " + std::string(kBreakGlassUntil) + " (an RFC 3339 time)");
  } else if (auto t = parse_rfc3339(check.until); !t) {
    check.failures.push_back(std::string(kBreakGlassUntil) + " \"" + check.until +
                             "\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
  } else if (*t <= now) {
    check.failures.push_back("the window expired at " + check.until + " (now " + format_rfc3339(now) + ")");
  } else if (*t - now > config.max_window) {
    check.failures.push_back("the window until " + check.until + " is longer than maxWindow " +
                             format_duration(config.max_window) + " (now " + format_rfc3339(now) + ")");
  }
  check.valid = check.failures.empty();
  return check;
}

}  // namespace driftgate::engine
