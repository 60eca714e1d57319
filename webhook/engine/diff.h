#pragma once
// The old/new diff behind `frozen`: every changed leaf, minus ignored subtrees.
#include <string>
#include <vector>

#include "json/value.h"
#include "path/path.h"

namespace driftgate::engine {

// Concrete paths of every leaf that differs between old and new, in document
// order. A subtree covered by any of `ignore` is skipped. An added or removed
// subtree reports its leaves; an empty container counts as a leaf.
std::vector<std::string> changed_paths(const json::Value& old_value, const json::Value& new_value,
                                       const std::vector<const path::Path*>& ignore);

}  // namespace driftgate::engine
