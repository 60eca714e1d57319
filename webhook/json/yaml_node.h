#pragma once
// yaml-cpp node -> json::Value, for code that already holds parsed YAML (the
// policy loader, the PolicyTest runner). Includes yaml-cpp: keep it out of the engine.
#include <yaml-cpp/yaml.h>

#include "json/value.h"
#include "json/yaml.h"
#include "util/result.h"

namespace driftgate::json {

Result<Value> from_yaml_node(const YAML::Node& node, Arena& arena, const YamlLimits& limits = {});

}  // namespace driftgate::json
