#include "json/stream.h"

#include <algorithm>
#include <string>

#include "json/parse.h"
#include "json/yaml_documents.h"
#include "json/yaml_node.h"

namespace driftgate::json {

Result<Stream> read_stream(std::string_view text, const StreamLimits& limits) {
  Stream stream;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    auto parsed = parse(text, {.max_depth = limits.max_depth});
    if (!parsed) return Error{parsed.error()};
    stream.arena = std::move(parsed->arena);
    stream.strings = std::move(parsed->strings);
    const int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(first), '\n')) + 1;
    stream.documents.push_back({1, line, parsed->root});
    return stream;
  }
  // yaml-cpp recurses while parsing: refuse absurd flow nesting before it does.
  std::size_t depth = 0, deepest = 0;
  for (char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  if (deepest > limits.max_depth)
    return Error{"YAML nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels"};
  std::vector<YAML::Node> nodes;
  try {
    nodes = load_all_documents(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{"malformed YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  const YamlLimits yaml_limits{.max_depth = limits.max_depth, .max_bytes = text.size(), .max_nodes = limits.max_nodes};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& node = nodes[i];
    StreamDocument document{i + 1, node.Mark().line + 1, Value{}};
    if (!node.IsNull()) {
      auto value = from_yaml_node(node, *stream.arena, yaml_limits);
      if (!value)
        return Error{"document " + std::to_string(i + 1) + " at line " + std::to_string(document.line) + ": " +
                     value.error()};
      document.value = *value;
    }
    stream.documents.push_back(document);
  }
  return stream;
}

}  // namespace driftgate::json
