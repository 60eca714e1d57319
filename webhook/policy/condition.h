#pragma once
// Conditions of the expect and deny rules, and of their `when` (language 1.1):
// `{path|any|each|none: P, <tests>}`, `{exists: P}`, `{anyOf: [..]}`,
// `{allOf: [..]}`, `{not: ..}`, `{}`. Compiled once at load (paths parsed,
// regexes and bounds compiled, the tests' text for messages built); evaluated
// with holds(), and explained with explain() only when a rule fails, so the
// common case builds no strings.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "path/path.h"
#include "util/glob.h"
#include "util/quantity.h"

namespace re2 {
class RE2;
}
namespace YAML {
class Node;
}

namespace driftgate::policy {

class RuleReader;

// How min/max compare (`as:`).
enum class ValueOrder { Number, Integer, Quantity, Semver, Time };
enum class JsonType { String, Number, Boolean, Null, Object, Array };

// The tests on one value; every test given must pass.
struct ValueTests {
  struct Bound {
    json::Value literal;               // as written (kept in the policy set's arena)
    std::optional<Quantity> quantity;  // as: quantity
  };
  std::optional<json::Value> equals;
  std::optional<std::vector<json::Value>> in, not_in;
  std::shared_ptr<const re2::RE2> regex;
  ValueOrder as = ValueOrder::Number;
  std::optional<Bound> min, max;
  std::optional<JsonType> type;
  std::optional<std::vector<Glob>> keys_in;
  std::string text;  // `equals true`, `max 2Gi (as quantity)`: what the tests expect

  bool empty() const;
  bool passes(const json::Value& v) const;
  // Why a failing value fails when its type is the reason (" (not a quantity)"), or "".
  std::string type_reason(const json::Value& v) const;
};

struct Condition {
  enum class Shape { Always, Path, Any, Each, None, Exists, AnyOf, AllOf, Not };
  Shape shape = Shape::Always;
  path::Path path;
  bool anchored = false;  // `$.…`: read from the object (the Pod), not the forEach element
  ValueTests tests;
  std::vector<Condition> children;  // anyOf, allOf; not: one

  // Whether evaluating could read the node at `keys` of the object (PolicySet::reads);
  // paths are relative to each of `for_each` when it is not empty.
  bool reads(std::span<const std::string_view> keys, std::span<const path::Path> for_each) const;
};

// Where a condition is evaluated: a node (the object, or one forEach element)
// with its location, and the object root for `$.` paths.
struct Scope {
  const json::Value& node;
  const path::Location& at;
  const json::Value& root;
  const path::Location& root_at;
  path::Scratch& scratch;
};

bool holds(const Condition& c, const Scope& scope);

// Why `c` has the outcome `outcome` (what holds() returned): detail sentences
// (`spec.containers[1].imagePullPolicy is "IfNotPresent"; expected equals "Always"`)
// and the concrete paths involved.
struct Explanation {
  std::vector<std::string> details;
  std::vector<std::string> paths;
  std::string text() const;  // details joined with "; "
};
void explain(const Condition& c, const Scope& scope, bool outcome, Explanation& out);

// Reads a condition at `field`; nullopt when an error was reported. `relative`:
// paths are relative to a forEach element (except `$.` ones).
std::optional<Condition> read_condition(RuleReader& reader, const YAML::Node& n, const std::string& field,
                                        bool relative);

}  // namespace driftgate::policy
