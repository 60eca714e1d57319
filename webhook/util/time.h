#pragma once
// RFC 3339 timestamps and Go-style durations ("4h", "90m", "1h30m", "45s").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace driftgate {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::nanoseconds>;

std::optional<TimePoint> parse_rfc3339(std::string_view text);
// UTC with a `Z`, seconds precision: 2026-11-22T18:00:00Z.
std::string format_rfc3339(TimePoint t);
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
// "4h", "1h30m", "45s".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace driftgate
