#pragma once
// A json::Value as block-style YAML, as `kubectl get -o yaml` lays it out, for
// output people read and `kubectl apply -f -` takes. Strings that could read as
// something else (numbers, booleans, null, anything with YAML syntax in it) are
// double-quoted with JSON's escapes, which YAML's double-quoted scalars share,
// so every string reads back as the same string.
#include <string>

#include "json/value.h"

namespace driftgate::json {

void write_yaml(const Value& v, std::string& out);
std::string to_yaml(const Value& v);

}  // namespace driftgate::json
