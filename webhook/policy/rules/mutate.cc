#include "policy/rules/mutate.h"

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "engine/rule_check.h"
#include "json/yaml_node.h"
#include "policy/rule_reader.h"

namespace driftgate::policy {
namespace {

bool holds_template(const json::Value& v) {
  if (v.is_string()) return v.as_string().find("{{") != std::string_view::npos;
  if (v.is_array())
    return std::any_of(v.items().begin(), v.items().end(), [](const json::Value& i) { return holds_template(i); });
  if (v.is_object())
    return std::any_of(v.members().begin(), v.members().end(),
                       [](const json::Member& m) { return holds_template(m.value); });
  return false;
}

// Compiles a patch value into writer steps: a subtree without templates is one
// Value step, serialised here once; the containers around a template are opened
// and closed step by step.
void compile_value(const json::Value& v, std::vector<PatchOperation::Piece>& out, RuleReader& reader,
                   const YAML::Node& at, const std::string& field) {
  using Kind = PatchOperation::Piece::Kind;
  if (!holds_template(v)) {
    std::string text;
    json::write(v, text);
    out.push_back({Kind::Value, std::move(text), std::nullopt});
    return;
  }
  if (v.is_string()) {
    auto t = Template::parse(v.as_string());
    if (!t) reader.error(at, field, t.error());
    else out.push_back({Kind::Template, {}, std::move(*t)});
    return;
  }
  if (v.is_array()) {
    out.push_back({Kind::BeginArray, {}, std::nullopt});
    for (const json::Value& item : v.items()) compile_value(item, out, reader, at, field);
    out.push_back({Kind::EndArray, {}, std::nullopt});
    return;
  }
  out.push_back({Kind::BeginObject, {}, std::nullopt});
  for (const json::Member& m : v.members()) {
    out.push_back({Kind::Key, std::string(m.key), std::nullopt});
    compile_value(m.value, out, reader, at, field);
  }
  out.push_back({Kind::EndObject, {}, std::nullopt});
}

// Writes a compiled value as the next value of `w`, its templates rendered.
template <typename Lookup>
void emit(const std::vector<PatchOperation::Piece>& pieces, json::Writer& w, const Lookup& lookup) {
  using Kind = PatchOperation::Piece::Kind;
  for (const PatchOperation::Piece& piece : pieces) {
    switch (piece.kind) {
      case Kind::Value: w.raw(piece.text); break;  // whole values json::write produced at load
      case Kind::Key: w.key(piece.text); break;
      case Kind::BeginObject: w.begin_object(); break;
      case Kind::EndObject: w.end_object(); break;
      case Kind::BeginArray: w.begin_array(); break;
      case Kind::EndArray: w.end_array(); break;
      case Kind::Template: w.string(piece.string_template->render(lookup)); break;
    }
  }
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

// One operation object; `value`, when given, writes its value.
template <typename WriteValue>
void append_op(json::Writer& ops, std::string_view op, std::string_view pointer, const WriteValue& value) {
  ops.begin_object().field("op", op).field("path", pointer);
  if constexpr (!std::is_same_v<WriteValue, std::nullptr_t>) value(ops.key("value"));
  ops.end_object();
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

void Mutate::append_patch(const Policy& policy, const Rule& rule, const engine::RuleContext& context, json::Writer& ops,
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
    if (parent_exists) {
      // replace needs an existing target; add works either way.
      append_op(ops, op.op == PatchOperation::Op::Replace && target_exists ? "replace" : "add", op.pointer,
                [&](json::Writer& w) { emit(op.compiled, w, lookup); });
      continue;
    }
    // `add` into a map that does not exist fails: add the whole map instead,
    // {"<tokens[existing+1]>":{...{"<last token>":value}}}.
    append_op(ops, "add", pointer_of(tokens, existing + 1), [&](json::Writer& w) {
      for (std::size_t i = existing + 1; i < tokens.size(); ++i) w.begin_object().key(tokens[i]);
      emit(op.compiled, w, lookup);
      for (std::size_t i = existing + 1; i < tokens.size(); ++i) w.end_object();
    });
    for (std::size_t i = existing + 1; i < tokens.size(); ++i) created.push_back(pointer_of(tokens, i));
  }
}

}  // namespace driftgate::policy
