#pragma once
// Break-glass: a bounded emergency window that on-call opens with two annotations
// on the object itself.
#include <string>
#include <vector>

#include "engine/request.h"
#include "policy/policy.h"
#include "util/time.h"

namespace driftgate::engine {

inline constexpr std::string_view kBreakGlassUntil = "driftgate.dev/break-glass-until";
inline constexpr std::string_view kBreakGlassReason = "driftgate.dev/break-glass-reason";

struct BreakGlassCheck {
  bool attempted = false;  // the object carries either annotation
  bool valid = false;      // every condition holds
  std::string until;
  std::string reason;
  std::vector<std::string> failures;  // each failed condition, in words
};

BreakGlassCheck check_break_glass(const policy::BreakGlass& config, const Request& request, TimePoint now);

}  // namespace driftgate::engine
