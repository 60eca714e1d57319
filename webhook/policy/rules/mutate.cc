#include "policy/rules/mutate.h"

#include <algorithm>

#include "engine/rule_check.h"
#include "json/yaml_node.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {
namespace {

// Compiles a patch value: JSON text runs, broken where a string holds a template.
void compile_value(const json::Value& v, std::vector<PatchOperation::Piece>& out, RuleReader& reader,
                   const YAML::Node& at, const std::string& field) {
  auto text = [&]() -> std::string& {
    if (out.empty() || out.back().string_template) out.push_back({});
    return out.back().json;
  };
  if (v.is_string() && v.as_string().find("{{") != std::string_view::npos) {
    auto t = Template::parse(v.as_string());
    if (!t) reader.error(at, field, t.error());
    else out.push_back({{}, std::move(*t)});
    return;
  }
  if (v.is_array()) {
    text().push_back('[');
    bool first = true;
    for (const json::Value& item : v.items()) {
      if (!first) text().push_back(',');
      first = false;
      compile_value(item, out, reader, at, field);
    }
    text().push_back(']');
    return;
  }
  if (v.is_object()) {
    text().push_back('{');
    bool first = true;
    for (const json::Member& m : v.members()) {
      if (!first) text().push_back(',');
      first = false;
      json::write_string(m.key, text());
      text().push_back(':');
      compile_value(m.value, out, reader, at, field);
    }
    text().push_back('}');
    return;
  }
  json::write(v, text());
}

std::optional<PatchOperation> read_operation(RuleReader& reader, const YAML::Node& n, const std::string& field) {
  if (!reader.expect_map(n, field, {"op", "path", "value"})) return std::nullopt;
  PatchOperation op;
  auto name = n["op"] ? reader.scalar(n["op"], field + ".op") : std::nullopt;
  if (!n["op"]) reader.error(n, field, "missing op (add, replace or remove)");
  if (name) {
    if (*name == "add") op.op = PatchOperation::Op::Add;
    else if (*name == "replace") op.op = PatchOperation::Op::Replace;
    else if (*name == "remove") op.op = PatchOperation::Op::Remove;
    else reader.error(n["op"], field + ".op", "unsupported op \"" + *name + "\", expected add, replace or remove");
  }
  if (!n["path"]) {
    reader.error(n, field, "missing path (a JSON Pointer such as /metadata/annotations/example.com~1key)");
    return std::nullopt;
  }
  auto pointer = reader.scalar(n["path"], field + ".path");
  if (!pointer) return std::nullopt;
  if (pointer->empty() || pointer->front() != '/') {
    reader.error(n["path"], field + ".path", "a JSON Pointer must start with '/', found \"" + *pointer + "\"");
    return std::nullopt;
  }
  op.pointer = *pointer;
  std::string token;
  for (std::size_t i = 1; i <= pointer->size(); ++i) {
    if (i == pointer->size() || (*pointer)[i] == '/') {
      op.tokens.push_back(token);
      token.clear();
    } else if ((*pointer)[i] == '~') {
      char next = i + 1 < pointer->size() ? (*pointer)[i + 1] : '\0';
      if (next != '0' && next != '1') {
        reader.error(n["path"], field + ".path", "'~' must be followed by 0 or 1 in a JSON Pointer");
        return std::nullopt;
      }
      token.push_back(next == '0' ? '~' : '/');
      ++i;
    } else {
      token.push_back((*pointer)[i]);
    }
  }
  if (const YAML::Node value = n["value"]) {
    if (op.op == PatchOperation::Op::Remove) reader.error(value, field + ".value", "remove takes no value");
    auto v = json::from_yaml_node(value, reader.arena());
    if (!v) {
      reader.error(value, field + ".value", v.error());
    } else {
      compile_value(*v, op.compiled, reader, value, field + ".value");
      op.value = *v;
    }
  } else if (op.op != PatchOperation::Op::Remove) {
    reader.error(n, field, "missing value for " + std::string(op.op == PatchOperation::Op::Add ? "add" : "replace"));
  }
  return op;
}

std::string pointer_of(const std::vector<std::string>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back('/');
    for (char c : tokens[i]) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out.push_back(c);
    }
  }
  return out;
}

const json::Value* child(const json::Value& node, const std::string& token) {
  if (node.is_object()) return node.find(token);
  if (node.is_array()) {
    std::size_t i = 0;
    for (char c : token) {
      if (c < '0' || c > '9') return nullptr;
      i = i * 10 + static_cast<std::size_t>(c - '0');
    }
    return !token.empty() && i < node.size() ? &node.items()[i] : nullptr;
  }
  return nullptr;
}

void append_op(std::string& ops, std::string_view op, const std::string& pointer, const std::string* value_json) {
  if (!ops.empty()) ops.push_back(',');
  ops += "{\"op\":\"";
  ops += op;
  ops += "\",\"path\":";
  json::write_string(pointer, ops);
  if (value_json) {
    ops += ",\"value\":";
    ops += *value_json;
  }
  ops.push_back('}');
}

bool pointer_touches(const std::vector<std::string>& tokens, Keys keys) {
  for (std::size_t i = 0; i < tokens.size() && i < keys.size(); ++i)
    if (tokens[i] != keys[i]) return false;
  return true;
}

}  // namespace

std::optional<Mutate> Mutate::read(RuleReader& reader, const RuleSource& source) {
  const YAML::Node& n = source.value;
  const std::string& field = source.field;
  if (reader.pod_templates()) {
    // JSON Pointers name one place; a Pod rule is read at several.
    reader.error(n, field, "mutate patches name one JSON Pointer each: it cannot be used with match.podTemplates");
    return std::nullopt;
  }
  if (!reader.expect_map(n, field, {"when", "patch"})) return std::nullopt;
  Mutate m;
  if (n["when"]) {
    if (auto when = reader.scalar(n["when"], field + ".when")) {
      if (*when == "always") m.when = When::Always;
      else if (*when == "breakGlass") m.when = When::BreakGlass;
      else reader.error(n["when"], field + ".when", "unknown value \"" + *when + "\", expected always or breakGlass");
    }
  }
  const YAML::Node patch = n["patch"];
  if (!patch || !patch.IsSequence() || patch.size() == 0) {
    reader.error(patch ? patch : n, field + ".patch", "expected a non-empty list of JSON Patch operations");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < patch.size(); ++i)
    if (auto op = read_operation(reader, patch[i], field + ".patch[" + std::to_string(i) + "]"))
      m.patch.push_back(std::move(*op));
  return m;
}

bool Mutate::reads(Keys keys) const {
  return std::any_of(patch.begin(), patch.end(), [&](const PatchOperation& op) { return pointer_touches(op.tokens, keys); });
}

void Mutate::append_patch(const Policy& policy, const Rule& rule, const engine::RuleContext& context, std::string& ops,
                          std::vector<std::string>& created) const {
  const json::Value& object = context.request().object;
  static const std::vector<std::string> kNoPaths;
  auto lookup = [&](Variable var) { return context.variable(var, policy, rule, kNoPaths, ""); };
  for (const PatchOperation& op : patch) {
    const auto& tokens = op.tokens;
    // Find the deepest existing ancestor: in the object or added earlier in this patch.
    const json::Value* node = &object;
    std::size_t existing = 0;  // tokens[0..existing) exist
    bool parent_created = false;
    for (; existing + 1 < tokens.size(); ++existing) {
      std::string prefix = pointer_of(tokens, existing + 1);
      if (std::find(created.begin(), created.end(), prefix) != created.end()) {
        parent_created = true;
        node = nullptr;
        continue;
      }
      if (parent_created || !node) break;
      const json::Value* next = child(*node, tokens[existing]);
      if (!next || !next->is_set()) break;
      node = next;
    }
    bool parent_exists = existing + 1 >= tokens.size();
    bool target_exists = parent_exists && !parent_created && node && child(*node, tokens.back()) &&
                         child(*node, tokens.back())->is_set();
    if (op.op == PatchOperation::Op::Remove) {
      if (target_exists) append_op(ops, "remove", op.pointer, nullptr);
      continue;
    }
    std::string value;
    for (const PatchOperation::Piece& piece : op.compiled)
      if (piece.string_template) json::write_string(piece.string_template->render(lookup), value);
      else value += piece.json;
    if (parent_exists) {
      // replace needs an existing target; add works either way.
      append_op(ops, op.op == PatchOperation::Op::Replace && target_exists ? "replace" : "add", op.pointer, &value);
      continue;
    }
    // `add` into a map that does not exist fails: add the whole map instead.
    std::string nested = value;
    for (std::size_t i = tokens.size() - 1; i > existing; --i) {
      std::string wrapped = "{";
      json::write_string(tokens[i], wrapped);
      wrapped += ":" + nested + "}";
      nested = std::move(wrapped);
    }
    append_op(ops, "add", pointer_of(tokens, existing + 1), &nested);
    for (std::size_t i = existing + 1; i < tokens.size(); ++i) created.push_back(pointer_of(tokens, i));
  }
}

}  // namespace driftgate::policy
