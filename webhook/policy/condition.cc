#include "policy/condition.h"

#include <re2/re2.h>

#include <algorithm>
#include <initializer_list>

#include "engine/order.h"
#include "json/yaml_node.h"
#include "policy/rule_reader.h"
#include "util/suggest.h"

namespace driftgate::policy {
namespace {

constexpr std::size_t kMaxValueText = 60;
constexpr std::size_t kMaxFoundValues = 5;

std::string_view order_name(ValueOrder o) {
  switch (o) {
    case ValueOrder::Number: return "number";
    case ValueOrder::Integer: return "integer";
    case ValueOrder::Quantity: return "quantity";
    case ValueOrder::Semver: return "semver";
    case ValueOrder::Time: return "time";
  }
  return "number";
}

std::optional<JsonType> type_of(const json::Value& v) {
  switch (v.type()) {
    case json::Type::Null: return JsonType::Null;
    case json::Type::Bool: return JsonType::Boolean;
    case json::Type::Integer:
    case json::Type::Double: return JsonType::Number;
    case json::Type::String: return JsonType::String;
    case json::Type::Array: return JsonType::Array;
    case json::Type::Object: return JsonType::Object;
  }
  return std::nullopt;
}

// Typed equality of a value and a scalar: `true` is not `"true"`; 1 == 1.0.
bool scalar_equals(const json::Value& v, const json::Value& s) {
  if (v.is_number() && s.is_number()) {
    if (v.is_integer() && s.is_integer()) return v.as_integer() == s.as_integer();
    // long double holds every int64 exactly (as compare_to does): through double,
    // 2^53 + 1 would equal 2^53.
    auto exact = [](const json::Value& n) {
      return n.is_integer() ? static_cast<long double>(n.as_integer()) : static_cast<long double>(n.as_double());
    };
    return exact(v) == exact(s);
  }
  if (v.type() != s.type()) return false;
  switch (v.type()) {
    case json::Type::Null: return true;
    case json::Type::Bool: return v.as_bool() == s.as_bool();
    case json::Type::String: return v.as_string() == s.as_string();
    default: return false;  // objects and arrays never equal a scalar
  }
}

std::optional<Quantity> quantity_of(const json::Value& v) {
  if (v.is_string()) return Quantity::parse(v.as_string());
  if (v.is_number()) return Quantity::parse(json::to_string(v));
  return std::nullopt;
}

Order engine_order(ValueOrder o) {
  return o == ValueOrder::Semver ? Order::Semver : o == ValueOrder::Time ? Order::Time : Order::Integer;
}

// -1, 0 or 1 of the value against the bound; nullopt when the value cannot be read as `as`.
std::optional<int> compare_to(const json::Value& v, const ValueTests::Bound& b, ValueOrder as) {
  switch (as) {
    case ValueOrder::Number: {
      if (!v.is_number()) return std::nullopt;
      if (v.is_integer() && b.literal.is_integer())
        return v.as_integer() < b.literal.as_integer() ? -1 : v.as_integer() > b.literal.as_integer() ? 1 : 0;
      const long double x = v.is_integer() ? static_cast<long double>(v.as_integer()) : v.as_double();
      const long double y = b.literal.is_integer() ? static_cast<long double>(b.literal.as_integer()) : b.literal.as_double();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ValueOrder::Quantity: {
      auto q = quantity_of(v);
      if (!q) return std::nullopt;
      return compare(*q, *b.quantity);
    }
    default: return engine::compare(v, b.literal, engine_order(as));
  }
}

std::string value_text(const json::Value& v) {
  std::string text = json::to_string(v);
  if (text.size() > kMaxValueText) {
    text.resize(kMaxValueText);
    text += "…";
  }
  return text;
}

const json::Value& node_of(const Condition& c, const Scope& s) { return c.anchored ? s.root : s.node; }
const path::Location& base_of(const Condition& c, const Scope& s) { return c.anchored ? s.root_at : s.at; }

// A path without wildcards, followed directly (no visitor).
const json::Value* follow(const path::Path& p, const json::Value& root, path::Scratch& scratch) {
  const json::Value* node = &root;
  for (const path::Segment& s : p.segments()) {
    switch (s.kind) {
      case path::Segment::Kind::Key: node = node->find(s.key); break;
      case path::Segment::Kind::Index: node = s.index < node->items().size() ? &node->items()[s.index] : nullptr; break;
      case path::Segment::Kind::Yaml: node = node->is_string() ? scratch.yaml(*node) : nullptr; break;
      default: return nullptr;  // wildcards are refused under path: at load
    }
    if (!node || !node->is_set()) return nullptr;
  }
  return node;
}

template <typename F>
void each_value(const Condition& c, const Scope& s, F&& f) {
  path::walk(c.path, node_of(c, s), s.scratch, f, base_of(c, s));
}

}  // namespace

bool ValueTests::empty() const {
  return !equals && !in && !not_in && !regex && !min && !max && !type && !keys_in;
}

bool ValueTests::passes(const json::Value& v) const {
  if (type && type_of(v) != *type) return false;
  if (equals && !scalar_equals(v, *equals)) return false;
  if (in && std::none_of(in->begin(), in->end(), [&](const json::Value& s) { return scalar_equals(v, s); })) return false;
  if (not_in && std::any_of(not_in->begin(), not_in->end(), [&](const json::Value& s) { return scalar_equals(v, s); }))
    return false;
  if (regex) {
    if (!v.is_string()) return false;
    auto text = v.as_string();
    if (!RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *regex)) return false;
  }
  if (min) {
    auto c = compare_to(v, *min, as);
    if (!c || *c < 0) return false;
  }
  if (max) {
    auto c = compare_to(v, *max, as);
    if (!c || *c > 0) return false;
  }
  if (keys_in) {
    if (!v.is_object()) return false;
    for (const json::Member& m : v.members())
      if (std::none_of(keys_in->begin(), keys_in->end(), [&](const Glob& g) { return g.matches(m.key); })) return false;
  }
  return true;
}

std::string ValueTests::type_reason(const json::Value& v) const {
  if (regex && !v.is_string()) return " (not a string)";
  if ((min || max) && !compare_to(v, min ? *min : *max, as))
    return std::string(as == ValueOrder::Integer ? " (not an " : " (not a ") + std::string(order_name(as)) + ")";
  if (keys_in && !v.is_object()) return " (not an object)";
  return "";
}

bool Condition::reads(std::span<const std::string_view> keys, std::span<const path::Path> for_each) const {
  switch (shape) {
    case Shape::Always: return false;
    case Shape::AnyOf:
    case Shape::AllOf:
    case Shape::Not:
      return std::any_of(children.begin(), children.end(), [&](const Condition& c) { return c.reads(keys, for_each); });
    default:
      if (anchored || for_each.empty()) return path.may_touch(keys);
      return std::any_of(for_each.begin(), for_each.end(),
                         [&](const path::Path& element) { return element.join(path).may_touch(keys); });
  }
}

bool holds(const Condition& c, const Scope& s) {
  using S = Condition::Shape;
  switch (c.shape) {
    case S::Always: return true;
    case S::Path: {
      const json::Value* v = follow(c.path, node_of(c, s), s.scratch);
      return v && c.tests.passes(*v);
    }
    case S::Any: {
      bool any = false;
      each_value(c, s, [&](const path::Location&, const json::Value& v) { any = any || c.tests.passes(v); });
      return any;
    }
    case S::Each: {
      bool every = true;
      each_value(c, s, [&](const path::Location&, const json::Value& v) { every = every && c.tests.passes(v); });
      return every;
    }
    case S::None: {
      bool any = false;
      each_value(c, s, [&](const path::Location&, const json::Value& v) { any = any || c.tests.passes(v); });
      return !any;
    }
    case S::Exists: {
      bool reached = false;
      each_value(c, s, [&](const path::Location&, const json::Value&) { reached = true; });
      return reached;
    }
    case S::AnyOf:
      return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& child) { return holds(child, s); });
    case S::AllOf:
      return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& child) { return holds(child, s); });
    case S::Not: return !holds(c.children.front(), s);
  }
  return false;
}

std::string Explanation::text() const {
  std::string out;
  for (const std::string& d : details) out += (out.empty() ? "" : "; ") + d;
  return out;
}

void explain(const Condition& c, const Scope& s, bool outcome, Explanation& out) {
  using S = Condition::Shape;
  auto add_path = [&](std::string p) {
    if (std::find(out.paths.begin(), out.paths.end(), p) == out.paths.end()) out.paths.push_back(std::move(p));
  };
  const std::string& tests = c.tests.text;
  switch (c.shape) {
    case S::Always: out.details.push_back("denied"); return;
    case S::Path: {
      const std::string where = path::str(base_of(c, s), c.path);
      add_path(where);
      const json::Value* v = follow(c.path, node_of(c, s), s.scratch);
      if (!v) out.details.push_back(where + " is not set; expected " + tests);
      else if (outcome) out.details.push_back(where + " is " + value_text(*v) + "; denied: " + tests);
      else out.details.push_back(where + " is " + value_text(*v) + "; expected " + tests + c.tests.type_reason(*v));
      return;
    }
    case S::Any:
    case S::Each:
    case S::None: {
      const std::string where = path::str(base_of(c, s), c.path);
      const std::string head = path::str(base_of(c, s), c.path.head());
      // The values that decide the outcome: those that pass (any true, none false)
      // or fail (each false), each with its location.
      const bool want_passing = (c.shape == S::Any && outcome) || (c.shape == S::None && !outcome);
      const bool want_failing = c.shape == S::Each && !outcome;
      std::vector<std::string> found;
      std::size_t reached = 0;
      each_value(c, s, [&](const path::Location& loc, const json::Value& v) {
        ++reached;
        const bool passes = c.tests.passes(v);
        if (want_passing && passes) {
          add_path(loc.str());
          out.details.push_back(loc.str() + " is " + value_text(v) +
                                (c.shape == S::Any ? "; denied: " : "; expected none with ") + tests);
        } else if (want_failing && !passes) {
          add_path(loc.str());
          out.details.push_back(loc.str() + " is " + value_text(v) + "; expected " + tests + c.tests.type_reason(v));
        } else if (found.size() < kMaxFoundValues) {
          found.push_back(value_text(v));
        }
      });
      if (want_passing || want_failing) return;
      add_path(head);
      if (reached == 0) {
        out.details.push_back(where + " is not set" +
                              (c.shape == S::Any ? "; expected at least one with " + tests : std::string()));
        return;
      }
      std::string values;
      for (const std::string& f : found) values += (values.empty() ? "" : ", ") + f;
      if (reached > found.size()) values += ", …";
      if (c.shape == S::Each) out.details.push_back("every value of " + where + " has " + tests + " (" + values + ")");
      else out.details.push_back(where + " has no value with " + tests + " (found " + values + ")");
      return;
    }
    case S::Exists: {
      const std::string where = path::str(base_of(c, s), c.path);
      if (!outcome) {
        add_path(where);
        out.details.push_back(where + " is not set");
        return;
      }
      each_value(c, s, [&](const path::Location& loc, const json::Value&) {
        add_path(loc.str());
        out.details.push_back(loc.str() + " is set");
      });
      return;
    }
    case S::AnyOf:
    case S::AllOf: {
      // anyOf false / allOf false: the children that fail; true: those that hold.
      Explanation inner;
      for (const Condition& child : c.children) {
        if (holds(child, s) != outcome) continue;
        explain(child, s, outcome, inner);
        if (c.shape == S::AnyOf && outcome) break;  // one reason is the reason
      }
      for (std::string& p : inner.paths) add_path(std::move(p));
      if (c.shape == S::AnyOf && !outcome) out.details.push_back("none of: " + inner.text());
      else out.details.insert(out.details.end(), inner.details.begin(), inner.details.end());
      return;
    }
    case S::Not: explain(c.children.front(), s, !outcome, out); return;
  }
}

// ---- reading ------------------------------------------------------------------

namespace {

constexpr std::string_view kShapeKeys[] = {"path", "any", "each", "none", "exists", "anyOf", "allOf", "not"};
constexpr std::string_view kTestKeys[] = {"equals", "in", "notIn", "regex", "min", "max", "as", "type", "keysIn"};

class ConditionReader {
 public:
  ConditionReader(RuleReader& reader, bool relative) : r_(reader), relative_(relative) {}

  std::optional<Condition> read(const YAML::Node& n, const std::string& field) {
    if (!n.IsMap()) {
      r_.error(n, field,
               "expected a condition (a mapping such as {path: P, equals: X}, {exists: P} or {anyOf: [...]}), found " +
                   StrictReader::describe(n));
      return std::nullopt;
    }
    const std::size_t errors_before = r_.error_count();
    r_.expect_map(n, field,
                  {"path", "any", "each", "none", "exists", "anyOf", "allOf", "not", "equals", "in", "notIn", "regex",
                   "min", "max", "as", "type", "keysIn"});
    std::vector<std::string> shapes, tests;
    for (const auto& kv : n) {
      const std::string& key = kv.first.Scalar();
      if (std::find(std::begin(kShapeKeys), std::end(kShapeKeys), key) != std::end(kShapeKeys)) shapes.push_back(key);
      if (std::find(std::begin(kTestKeys), std::end(kTestKeys), key) != std::end(kTestKeys)) tests.push_back(key);
    }
    Condition c;
    if (shapes.size() > 1) {
      r_.error(n, field,
               "a condition has one of path, any, each, none, exists, anyOf, allOf or not; found " + shapes[0] +
                   " and " + shapes[1] + " (combine conditions with allOf or anyOf)");
      return std::nullopt;
    }
    if (shapes.empty()) {
      if (!tests.empty())
        r_.error(n, field, tests[0] + " tests a value: name it with path:, any:, each: or none:");
      return r_.error_count() == errors_before ? std::optional<Condition>(c) : std::nullopt;
    }
    const std::string& shape = shapes[0];
    const YAML::Node value = n[shape];
    const std::string shape_field = field + "." + shape;
    if (shape == "anyOf" || shape == "allOf") {
      c.shape = shape == "anyOf" ? Condition::Shape::AnyOf : Condition::Shape::AllOf;
      if (!value.IsSequence() || value.size() == 0) {
        r_.error(value, shape_field,
                 "expected a non-empty list of conditions, found " + StrictReader::describe(value));
      } else {
        for (std::size_t i = 0; i < value.size(); ++i)
          if (auto child = read(value[i], shape_field + "[" + std::to_string(i) + "]"))
            c.children.push_back(std::move(*child));
      }
    } else if (shape == "not") {
      c.shape = Condition::Shape::Not;
      if (auto child = read(value, shape_field)) c.children.push_back(std::move(*child));
    } else {
      c.shape = shape == "path"   ? Condition::Shape::Path
                : shape == "any"  ? Condition::Shape::Any
                : shape == "each" ? Condition::Shape::Each
                : shape == "none" ? Condition::Shape::None
                                  : Condition::Shape::Exists;
      read_path(value, shape_field, c);
      if (c.shape == Condition::Shape::Path && c.path.has_wildcard())
        r_.error(value, shape_field,
                 "path reaches several values: write each:, any: or none: instead of path: (\"" + c.path.str() + "\")");
    }
    const bool takes_tests = c.shape == Condition::Shape::Path || c.shape == Condition::Shape::Any ||
                             c.shape == Condition::Shape::Each || c.shape == Condition::Shape::None;
    if (!takes_tests && !tests.empty())
      r_.error(n[tests[0]], field + "." + tests[0],
               shape + " takes no tests (" + tests[0] + "); tests go with path, any, each or none");
    if (takes_tests) {
      read_tests(n, field, c.tests);
      if (c.tests.empty() && r_.error_count() == errors_before)
        r_.error(n, field,
                 shape + ": " + c.path.str() +
                     " needs at least one test (equals, in, notIn, regex, min, max, type or keysIn); to require that it "
                     "is set, write exists: " + c.path.str());
    }
    if (r_.error_count() != errors_before) return std::nullopt;
    return c;
  }

 private:
  void read_path(const YAML::Node& n, const std::string& field, Condition& c) {
    auto text = r_.scalar(n, field);
    if (!text) return;
    std::string_view t = *text;
    if (t.starts_with("$.")) {
      c.anchored = true;
      t.remove_prefix(2);
    }
    auto p = path::Path::parse(t, {.max_segments = 64, .max_length = r_.limits().max_path_length});
    if (!p) {
      r_.error(n, field, p.error());
      return;
    }
    if ((!relative_ || c.anchored) && !r_.pod_path_ok(*p, n, field)) return;
    c.path = std::move(*p);
  }

  // A JSON scalar (string, number, boolean, null) from YAML.
  std::optional<json::Value> scalar_value(const YAML::Node& n, const std::string& field, std::string_view what) {
    if (!n.IsScalar() && !n.IsNull()) {
      r_.error(n, field,
               std::string(what) + " takes a scalar (string, number, boolean or null), found " + StrictReader::describe(n));
      return std::nullopt;
    }
    auto v = json::from_yaml_node(n, r_.arena());
    if (!v) {
      r_.error(n, field, v.error());
      return std::nullopt;
    }
    // A null value counts as not set (follow and path::walk skip it), so no test
    // ever sees one: a null here could never match, and the rule would judge nothing.
    if (v->is_null() && what != "keysIn") {
      r_.error(n, field, null_never_matches(what));
      return std::nullopt;
    }
    return *v;
  }

  static std::string null_never_matches(std::string_view what) {
    return std::string(what) + ": null never matches: a null value counts as not set (test for it with {not: {exists: P}})";
  }

  std::optional<std::vector<json::Value>> scalar_list(const YAML::Node& n, const std::string& field,
                                                      std::string_view what) {
    if (!n.IsSequence()) {
      r_.error(n, field, std::string(what) + " takes a list of scalars, found " + StrictReader::describe(n));
      return std::nullopt;
    }
    std::vector<json::Value> out;
    for (std::size_t i = 0; i < n.size(); ++i)
      if (auto v = scalar_value(n[i], field + "[" + std::to_string(i) + "]", what)) out.push_back(*v);
    return out;
  }

  static std::string list_text(const std::vector<json::Value>& values) {
    std::string out = "[";
    for (const json::Value& v : values) out += (out.size() > 1 ? ", " : "") + json::to_string(v);
    return out + "]";
  }

  // Whether `text` reads as `as` (for min/max).
  std::optional<ValueTests::Bound> bound(const YAML::Node& n, ValueOrder as) {
    auto v = json::from_yaml_node(n, r_.arena());
    if (!v || !n.IsScalar()) return std::nullopt;
    ValueTests::Bound b{*v, std::nullopt};
    switch (as) {
      case ValueOrder::Number:
        if (!v->is_number()) return std::nullopt;
        break;
      case ValueOrder::Quantity:
        b.quantity = Quantity::parse(n.Scalar());
        if (!b.quantity) return std::nullopt;
        break;
      default:
        if (!engine::readable(*v, engine_order(as))) return std::nullopt;
    }
    return b;
  }

  void read_tests(const YAML::Node& n, const std::string& field, ValueTests& t) {
    std::vector<std::string> text;
    if (const YAML::Node type = n["type"]) {
      if (auto name = r_.one_of(type, field + ".type", "type", {"string", "number", "boolean", "null", "object", "array"});
          name && *name == "null") {
        r_.error(type, field + ".type", null_never_matches("type"));
      } else if (name) {
        static constexpr std::pair<std::string_view, JsonType> kTypes[] = {
            {"string", JsonType::String}, {"number", JsonType::Number}, {"boolean", JsonType::Boolean},
            {"null", JsonType::Null},     {"object", JsonType::Object}, {"array", JsonType::Array}};
        for (const auto& [key, value] : kTypes)
          if (key == *name) t.type = value;
        text.push_back("type " + *name);
      }
    }
    if (const YAML::Node equals = n["equals"]) {
      if ((t.equals = scalar_value(equals, field + ".equals", "equals"))) text.push_back("equals " + json::to_string(*t.equals));
    }
    if (const YAML::Node in = n["in"]) {
      if ((t.in = scalar_list(in, field + ".in", "in"))) text.push_back("in " + list_text(*t.in));
    }
    if (const YAML::Node not_in = n["notIn"]) {
      if ((t.not_in = scalar_list(not_in, field + ".notIn", "notIn"))) text.push_back("notIn " + list_text(*t.not_in));
    }
    if (const YAML::Node regex = n["regex"]) {
      if ((t.regex = r_.regex(regex, field + ".regex"))) text.push_back("regex " + json::to_string(json::Value::string(t.regex->pattern())));
    }
    if (const YAML::Node as = n["as"]) {
      if (auto name = r_.one_of(as, field + ".as", "as", {"number", "integer", "quantity", "semver", "time"})) {
        for (ValueOrder o : {ValueOrder::Number, ValueOrder::Integer, ValueOrder::Quantity, ValueOrder::Semver, ValueOrder::Time})
          if (order_name(o) == *name) t.as = o;
      }
      if (!n["min"] && !n["max"])
        r_.error(as, field + ".as", "as says how min and max compare: it needs min or max");
    }
    for (const char* key : {"min", "max"}) {
      const YAML::Node b = n[key];
      if (!b) continue;
      auto read = bound(b, t.as);
      if (!read) {
        // Suggest the order the bound reads in: `min: 2Gi` is a quantity.
        std::string hint;
        for (ValueOrder o : {ValueOrder::Quantity, ValueOrder::Semver, ValueOrder::Time, ValueOrder::Integer})
          if (o != t.as && hint.empty() && bound(b, o)) hint = "; did you mean as: " + std::string(order_name(o)) + "?";
        const std::string written = b.IsScalar() ? b.Scalar() : StrictReader::describe(b);
        r_.error(b, field + "." + key,
                 std::string(key) + ": " + written + " is not a" + (t.as == ValueOrder::Integer ? "n " : " ") +
                     std::string(order_name(t.as)) + hint);
        continue;
      }
      (std::string_view(key) == "min" ? t.min : t.max) = std::move(*read);
      text.push_back(std::string(key) + " " + b.Scalar() +
                     (n["as"] ? " (as " + std::string(order_name(t.as)) + ")" : std::string()));
    }
    if (const YAML::Node keys = n["keysIn"]) {
      if (!keys.IsSequence()) {
        r_.error(keys, field + ".keysIn", "keysIn takes a list of key globs, found " + StrictReader::describe(keys));
      } else {
        std::vector<Glob> globs;
        std::string list = "[";
        for (std::size_t i = 0; i < keys.size(); ++i) {
          auto v = scalar_value(keys[i], field + ".keysIn[" + std::to_string(i) + "]", "keysIn");
          if (!v) continue;
          if (!v->is_string()) {
            r_.error(keys[i], field + ".keysIn[" + std::to_string(i) + "]",
                     "keysIn entries are key globs (strings), found " + json::to_string(*v));
            continue;
          }
          globs.emplace_back(std::string(v->as_string()));
          list += (list.size() > 1 ? ", " : "") + json::to_string(*v);
        }
        t.keys_in = std::move(globs);
        text.push_back("keysIn " + list + "]");
      }
    }
    for (const std::string& part : text) t.text += (t.text.empty() ? "" : ", ") + part;
  }

  RuleReader& r_;
  bool relative_;
};

}  // namespace

std::optional<Condition> read_condition(RuleReader& reader, const YAML::Node& n, const std::string& field,
                                        bool relative) {
  return ConditionReader(reader, relative).read(n, field);
}

}  // namespace driftgate::policy
