#pragma once
// Small JSON builders for the server's own bodies and event fields; the
// escaping itself is the core JSON writer's.
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace driftgate::server {

inline std::string json_string(std::string_view text) {
  std::string out;
  json::write_string(text, out);
  return out;
}

// `"name":"value"`, for audit::event_line's fields argument.
inline std::string json_field(std::string_view name, std::string_view value) {
  return json_string(name) + ":" + json_string(value);
}
inline std::string json_field(std::string_view name, std::uint64_t value) {
  return json_string(name) + ":" + std::to_string(value);
}
// `"name":["a","b"]`
inline std::string json_field(std::string_view name, const std::vector<std::string>& values) {
  std::string out = json_string(name);
  out.append(":[");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::write_string(values[i], out);
  }
  out.push_back(']');
  return out;
}

// {"error":"..."}: the body of every non-200 answer, so a client (or a human
// reading the API server's log) sees which limit or rule it hit.
inline std::string json_error_body(std::string_view message) { return "{\"error\":" + json_string(message) + "}"; }

}  // namespace driftgate::server
