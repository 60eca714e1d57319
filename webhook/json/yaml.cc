#include "json/yaml.h"

#include "json/yaml_error.h"
#include "json/yaml_node.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

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

bool is_merge_key(const YAML::Node& key) { return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<"; }

struct Converter {
  Arena& arena;
  const YamlLimits& limits;
  std::size_t nodes = 0;

  Result<Value> convert(const YAML::Node& node, std::size_t depth) {
    if (depth > limits.max_depth)
      return Error{"YAML nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels"};
    if (++nodes > limits.max_nodes)
      return Error{"YAML expands to more than the limit of " + std::to_string(limits.max_nodes) +
                   " nodes (aliases repeat what they refer to)"};
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
      case YAML::NodeType::Map: return convert_map(node, depth);
    }
    return Value{};
  }

  // Explicit keys win over merged ones; among merged maps, earlier ones win
  // (YAML 1.1 merge key, which Helm's parser applies to values files).
  Result<Value> convert_map(const YAML::Node& node, std::size_t depth) {
    std::vector<Member> members;
    members.reserve(node.size());
    std::vector<YAML::Node> merges;
    std::unordered_set<std::string_view> keys;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return Error{"YAML mapping keys must be scalars"};
      if (is_merge_key(kv.first)) {
        if (kv.second.IsSequence())
          for (const auto& source : kv.second) merges.push_back(source);
        else
          merges.push_back(kv.second);
        continue;
      }
      // Keys are unique (YAML 1.2 requires it; yaml-cpp does not check): with a
      // repeated key, a path lookup and a `**` walk would see different values
      // (found by tests/fuzz/yaml_value_fuzz).
      std::string_view key = arena.copy(kv.first.Scalar());
      if (!keys.insert(key).second) {
        return Error{"YAML mapping has a duplicate key \"" + std::string(key) + "\" at line " +
                     std::to_string(kv.first.Mark().line + 1) + ", column " + std::to_string(kv.first.Mark().column + 1)};
      }
      auto v = convert(kv.second, depth + 1);
      if (!v) return v;
      members.push_back({key, *v});
    }
    for (const YAML::Node& source : merges) {
      if (!source.IsMap()) return Error{"a YAML merge key (<<) must refer to a mapping or a list of mappings"};
      auto merged = convert(source, depth + 1);
      if (!merged) return merged;
      for (const Member& m : merged->members()) {
        bool present = std::any_of(members.begin(), members.end(), [&](const Member& e) { return e.key == m.key; });
        if (!present) members.push_back(m);
      }
    }
    Member* out = arena.allocate<Member>(members.size());
    std::copy(members.begin(), members.end(), out);
    return Value::object({out, members.size()});
  }
};

}  // namespace

Result<Value> from_yaml_node(const YAML::Node& node, Arena& arena, const YamlLimits& limits) {
  return Converter{arena, limits}.convert(node, 0);
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
    return Converter{arena, limits}.convert(node, 0);
  } catch (const YAML::Exception& e) {
    return Error{"malformed YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                 std::to_string(e.mark.column + 1) + ": " + yaml_error_message(e)};
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
