#pragma once
// YAML text -> json::Document, resolving plain scalars by the YAML 1.2 core schema
// (quoted scalars stay strings) and merge keys (`<<: *base`) as Helm does. Used for `|yaml` paths, YAML AdmissionReviews and
// policy literals. yaml-cpp stays inside yaml.cc.
#include <string_view>

#include "json/value.h"
#include "util/result.h"

namespace driftgate::json {

struct YamlLimits {
  std::size_t max_depth = 128;
  std::size_t max_bytes = 8u << 20;
  // Aliases can make a small text expand exponentially ("billion laughs"); the
  // converted document may hold at most this many nodes.
  std::size_t max_nodes = 1'000'000;
};

// Parses the first document of the text; an empty text is null.
Result<Document> parse_yaml(std::string_view text, const YamlLimits& limits = {});
// Same, allocating into an existing arena (for values discovered during evaluation).
Result<Value> parse_yaml_into(std::string_view text, Arena& arena, const YamlLimits& limits = {});

}  // namespace driftgate::json
