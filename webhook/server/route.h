#pragma once
// The endpoints the server answers, as a closed set: metrics index arrays by it
// and the router maps a path to it once.
#include <cstdint>
#include <string_view>

namespace driftgate::server {

enum class Route : std::uint8_t { Validate, Mutate, Healthz, Readyz, Metrics, Unknown };
inline constexpr std::size_t kRouteCount = 6;

inline std::string_view route_label(Route route) {
  switch (route) {
    case Route::Validate: return "validate";
    case Route::Mutate: return "mutate";
    case Route::Healthz: return "healthz";
    case Route::Readyz: return "readyz";
    case Route::Metrics: return "metrics";
    case Route::Unknown: break;
  }
  return "unknown";
}

}  // namespace driftgate::server
