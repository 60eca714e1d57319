#pragma once
// JSON text -> json::Document. simdjson does the parsing (the hot path of every
// admission request); its headers stay inside parse.cc.
#include <cstddef>
#include <string_view>

#include "json/value.h"
#include "util/result.h"

namespace driftgate::json {

struct ParseLimits {
  std::size_t max_depth = 128;  // nesting of arrays and objects
};

Result<Document> parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace driftgate::json
