#pragma once
// JSON text -> json::Document. simdjson does the parsing (the hot path of every
// admission request); its headers stay inside parse.cc.
#include <cstddef>
#include <span>
#include <string_view>

#include "json/value.h"
#include "util/result.h"

namespace driftgate::json {

// A concrete place named by object keys from the root, e.g.
// {"request", "object", "metadata", "managedFields"}.
using KeyPath = std::span<const std::string_view>;

struct ParseLimits {
  std::size_t max_depth = 128;  // nesting of arrays and objects
  // Members to leave out of the document (at most 8 paths): what no policy reads
  // need not be built. The text is still fully validated.
  std::span<const KeyPath> omit = {};
};

Result<Document> parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace driftgate::json
