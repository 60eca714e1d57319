#include "json/yaml.h"

#include "json/yaml_node.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace driftgate::json {
namespace {

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options)
    if (s == o) return true;
  return false;
}

// YAML 1.2 core schema resolution of a plain (unquoted) scalar.
Value resolve_plain_scalar(const std::string& text, Arena& arena) {
  if (text.empty() || is_one_of(text, {"~", "null", "Null", "NULL"})) return Value{};
  if (is_one_of(text, {"true", "True", "TRUE"})) return Value::boolean(true);
  if (is_one_of(text, {"false", "False", "FALSE"})) return Value::boolean(false);
  std::string_view s = text;
  std::int64_t i = 0;
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  // One sign, in front only: from_chars would accept the '-' of "+-5" or "0x-1".
  const bool signed_twice = digits.size() != s.size() && !digits.empty() && digits.front() == '-';
  if (!digits.empty() && !signed_twice) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc() && end == digits.data() + digits.size()) return Value::integer(i);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2] != '-') {
    auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), i, s[1] == 'x' ? 16 : 8);
    if (ec == std::errc() && end == s.data() + s.size()) return Value::integer(i);
  }
  if (is_one_of(text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}))
    return Value::number(std::numeric_limits<double>::infinity());
  if (is_one_of(text, {"-.inf", "-.Inf", "-.INF"})) return Value::number(-std::numeric_limits<double>::infinity());
  if (is_one_of(text, {".nan", ".NaN", ".NAN"})) return Value::number(std::numeric_limits<double>::quiet_NaN());
  // A float needs a digit and only float characters; from_chars checks the rest.
  if (!signed_twice && s.find_first_of("0123456789") != std::string_view::npos &&
      s.find_first_not_of("0123456789.eE+-") == std::string_view::npos) {
    double d = 0;
    std::string_view f = digits;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), d);
    if (ec == std::errc() && end == f.data() + f.size()) return Value::number(d);
  }
  return Value::string(arena.copy(text));
}

struct Converter {
  Arena& arena;
  std::size_t max_depth;

  Result<Value> convert(const YAML::Node& node, std::size_t depth) {
    if (depth > max_depth)
      return Error{"YAML nesting is deeper than the limit of " + std::to_string(max_depth) + " levels"};
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: return Value{};
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") return Value::string(arena.copy(node.Scalar()));
        return resolve_plain_scalar(node.Scalar(), arena);
      }
      case YAML::NodeType::Sequence: {
        std::size_t n = node.size();
        Value* items = arena.allocate<Value>(n);
        std::size_t i = 0;
        for (const auto& item : node) {
          auto v = convert(item, depth + 1);
          if (!v) return v;
          new (&items[i++]) Value(*v);
        }
        return Value::array({items, i});
      }
      case YAML::NodeType::Map: {
        std::size_t n = node.size();
        Member* members = arena.allocate<Member>(n);
        std::size_t i = 0;
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) return Error{"YAML mapping keys must be scalars"};
          auto v = convert(kv.second, depth + 1);
          if (!v) return v;
          new (&members[i++]) Member{arena.copy(kv.first.Scalar()), *v};
        }
        return Value::object({members, i});
      }
    }
    return Value{};
  }
};

}  // namespace

Result<Value> from_yaml_node(const YAML::Node& node, Arena& arena, std::size_t max_depth) {
  return Converter{arena, max_depth}.convert(node, 0);
}

Result<Value> parse_yaml_into(std::string_view text, Arena& arena, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Error{"YAML text is larger than the limit of " + std::to_string(limits.max_bytes) + " bytes"};
  // yaml-cpp recurses while parsing; refuse absurd flow nesting before it does.
  std::size_t depth = 0, deepest = 0;
  for (char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  if (deepest > limits.max_depth)
    return Error{"YAML nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels"};
  try {
    YAML::Node node = YAML::Load(std::string(text));
    return Converter{arena, limits.max_depth}.convert(node, 0);
  } catch (const YAML::Exception& e) {
    return Error{"malformed YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

Result<Document> parse_yaml(std::string_view text, const YamlLimits& limits) {
  Document doc;
  auto root = parse_yaml_into(text, *doc.arena, limits);
  if (!root) return Error{root.error()};
  doc.root = *root;
  return doc;
}

}  // namespace driftgate::json
