#pragma once
// Kind -> (API group, resource) for the kinds policies commonly name, so webhook
// registrations can be narrowed without a cluster to ask. A kind not in the table
// registers every resource of its group: wider than needed, never narrower.
#include <optional>
#include <string>
#include <string_view>

namespace driftgate::cli {

struct KindResource {
  std::string_view group;     // "" for the core group
  std::string_view resource;  // plural
};

std::optional<KindResource> resource_for_kind(std::string_view kind);

}  // namespace driftgate::cli
