#include "json/stream.h"

#include <algorithm>
#include <string>

#include "json/parse.h"
#include "json/yaml_error.h"
#include <yaml-cpp/yaml.h>

#include "json/yaml_node.h"

namespace driftgate::json {
namespace {

struct Chunk {
  std::string_view text;  // one document's lines, its marker line excluded
  int first_line = 1;     // the 1-based line `text` starts on
};

// A line that starts a document ("---", "--- text") or ends one ("...").
bool is_marker(std::string_view line, std::string_view marker) {
  return line.starts_with(marker) && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

// Whether the text holds anything but blank lines, comments and directives.
bool has_content(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && line[first] != '%') return true;
    at = end + 1;
  }
  return false;
}

// The documents of a YAML stream, split at its markers. A marker is "---" or "..."
// at the start of a line, and YAML forbids both there inside any scalar, so the
// split is exact. Numbered as YAML::LoadAll numbers them: every "---" starts a
// document; text without one (before the first "---", after a "...") is a
// document when it holds content.
std::vector<Chunk> split_documents(std::string_view text) {
  std::vector<Chunk> chunks;
  std::size_t begin = 0, at = 0;
  int line = 1, begin_line = 1;
  bool opened = false;  // a "---" started the current document (else it counts only with content)
  auto close = [&](std::size_t end) {
    const std::string_view piece = text.substr(begin, end - begin);
    if (opened || has_content(piece)) chunks.push_back({piece, begin_line});
  };
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view l = text.substr(at, (end == std::string_view::npos ? text.size() : end) - at);
    if (is_marker(l, "---")) {
      close(at);
      // "--- {a: 1}": the document starts on the marker's line, after it.
      begin = at + 3;
      begin_line = line;
      opened = true;
    } else if (is_marker(l, "...")) {
      close(at);
      opened = false;
      begin = next;
      begin_line = line + 1;
    }
    at = next;
    ++line;
  }
  close(text.size());
  return chunks;
}

}  // namespace

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
  const YamlLimits yaml_limits{.max_depth = limits.max_depth, .max_bytes = text.size(), .max_nodes = limits.max_nodes};
  for (const Chunk& chunk : split_documents(text)) {
    StreamDocument document{stream.documents.size() + 1, chunk.first_line, Value{}};
    // yaml-cpp recurses while parsing: refuse absurd flow nesting before it does.
    std::size_t depth = 0, deepest = 0;
    for (char c : chunk.text) {
      if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
      else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    if (deepest > limits.max_depth) {
      document.error = "YAML nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels";
      stream.documents.push_back(std::move(document));
      continue;
    }
    YAML::Node node;
    try {
      // One document at a time: YAML::Load is safe from LoadAll's endless loop
      // (json/yaml_documents.h), parses each byte once, and a line is its
      // mark plus where the document starts.
      node = YAML::Load(std::string(chunk.text));
    } catch (const YAML::Exception& e) {
      document.line = chunk.first_line + std::max(e.mark.line, 0);
      document.error = "malformed YAML at line " + std::to_string(document.line) + ", column " +
                       std::to_string(e.mark.column + 1) + ": " + yaml_error_message(e);
      stream.documents.push_back(std::move(document));
      continue;
    }
    if (node.IsDefined() && !node.IsNull()) {
      document.line = chunk.first_line + node.Mark().line;
      auto value = from_yaml_node(node, *stream.arena, yaml_limits);
      if (value) document.value = *value;
      else document.error = value.error();
    }
    stream.documents.push_back(std::move(document));
  }
  return stream;
}

}  // namespace driftgate::json
