#pragma once
// One JSON line per admission decision. Never object contents: only names, paths
// and the decision, so a Secret's data cannot reach a log.
#include <chrono>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

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

// A server event's own fields after the common ones, typed: event_line encodes
// them with json::Writer, so no caller writes (or can write) JSON text.
//   audit::EventFields().add("directory", dir).add("failedAttempts", n)
class EventFields {
 public:
  using Value = std::variant<std::string, std::int64_t, std::uint64_t, std::vector<std::string>>;
  struct Field {
    std::string name;
    Value value;
  };

  EventFields& add(std::string_view name, std::string_view value) {
    fields_.push_back({std::string(name), std::string(value)});
    return *this;
  }
  EventFields& add(std::string_view name, const char* value) { return add(name, std::string_view(value)); }
  EventFields& add(std::string_view name, const std::string& value) { return add(name, std::string_view(value)); }
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  EventFields& add(std::string_view name, T value) {
    if constexpr (std::is_signed_v<T>) fields_.push_back({std::string(name), static_cast<std::int64_t>(value)});
    else fields_.push_back({std::string(name), static_cast<std::uint64_t>(value)});
    return *this;
  }
  EventFields& add(std::string_view name, std::vector<std::string> values) {
    fields_.push_back({std::string(name), std::move(values)});
    return *this;
  }

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

// A server event line ({"type":"event",...}), distinguishable from decisions
// ({"type":"decision",...}): time, level, event and message, then `fields` in order.
std::string event_line(TimePoint time, std::string_view level, std::string_view event, std::string_view message,
                       const EventFields& fields = {});

}  // namespace driftgate::audit
