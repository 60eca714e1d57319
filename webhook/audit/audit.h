#pragma once
// One JSON line per admission decision. Never object contents: only names, paths
// and the decision, so a Secret's data cannot reach a log.
#include <chrono>
#include <string>

#include "admission/review.h"
#include "engine/decision.h"
#include "util/time.h"

namespace driftgate::audit {

struct Context {
  std::string_view endpoint;  // "validate" or "mutate"
  TimePoint time;
  std::chrono::microseconds latency{0};
};

// The audit line (no trailing newline) for one decision.
std::string decision_line(const admission::Review& review, const engine::Decision& decision, const Context& context);

// A server event line ({"type":"event",...}), distinguishable from decisions
// ({"type":"decision",...}). `fields` is a JSON object body without braces, or "".
std::string event_line(TimePoint time, std::string_view level, std::string_view event, std::string_view message,
                       std::string_view fields = {});

}  // namespace driftgate::audit
