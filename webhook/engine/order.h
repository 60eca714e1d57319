#pragma once
// Orders for `monotonic`: integers, semantic versions and RFC 3339 times.
#include <optional>
#include <string>

#include "json/value.h"
#include "policy/policy.h"

namespace driftgate::engine {

// -1, 0 or 1; nullopt when either value cannot be read in that order.
std::optional<int> compare(const json::Value& a, const json::Value& b, policy::Order order);
// Whether a value can be read in the order (integers may be numbers or strings).
bool readable(const json::Value& v, policy::Order order);
std::string_view order_name(policy::Order order);

}  // namespace driftgate::engine
