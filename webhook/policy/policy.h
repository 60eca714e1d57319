#pragma once
// The compiled, immutable policy set: what the loader builds from YAML and the
// engine evaluates. Everything that can be done once (regexes, paths, globs,
// templates, the kind index) is done here, at load time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "json/value.h"
#include "path/path.h"
#include "policy/template.h"
#include "util/glob.h"

namespace re2 {
class RE2;
}

namespace driftgate::policy {

enum class Mode { Enforce, Warn, Audit };
std::string_view to_string(Mode m);

// Admission operations as bits, so a policy's set of operations is one mask.
enum Operation : std::uint8_t { kCreate = 1, kUpdate = 2, kDelete = 4, kConnect = 8 };
std::optional<Operation> parse_operation(std::string_view text);
std::string_view to_string(Operation op);

// "Kind", "group/Kind" or "group/version/Kind"; the core group is written "core".
struct KindPattern {
  Glob group{"*"}, version{"*"}, kind{"*"};
  bool matches(std::string_view group, std::string_view version, std::string_view kind) const;
};

// One entry of anyOf/noneOf: every label and annotation named must be present with
// a value matching its glob.
struct MetadataTerm {
  std::vector<std::pair<std::string, Glob>> labels;
  std::vector<std::pair<std::string, Glob>> annotations;
  bool matches(const json::Value& object) const;
};

struct ObjectSelector {
  std::vector<MetadataTerm> any_of;
  std::vector<MetadataTerm> none_of;
};

struct Subjects {
  std::vector<Glob> users;
  std::vector<Glob> groups;
  bool empty() const { return users.empty() && groups.empty(); }
};

struct Match {
  std::uint8_t operations = kCreate | kUpdate;
  std::vector<KindPattern> kinds;  // empty: all kinds
  std::vector<Glob> namespaces;    // empty: all namespaces
  std::vector<Glob> exclude_namespaces;
  std::optional<ObjectSelector> object_selector;
  Subjects exclude_subjects;
};

struct BreakGlass {
  Subjects allowed;  // users and groups who may break glass
  std::chrono::nanoseconds max_window{};
};

// ---- rule types --------------------------------------------------------------

struct Frozen {
  // A path whose changes are not drift, for every kind or only for `kinds`
  // (a field such as spec.suspend is a control on Flux objects, drift on a CronJob).
  struct Ignore {
    path::Path path;
    std::vector<KindPattern> kinds;  // empty: every kind
  };
  std::vector<Ignore> ignore;
};
struct Exclusive {
  path::Path at;  // root when omitted
  std::vector<path::Path> fields;
};
struct Require {
  std::vector<path::Path> paths;
};
struct Forbid {
  std::vector<path::Path> paths;
};
struct Pattern {
  path::Path path;
  std::shared_ptr<const re2::RE2> regex;
  std::string regex_text;
  bool negate = false;
};
struct Immutable {
  std::vector<path::Path> paths;
};
enum class Order { Integer, Semver, Time };
struct Monotonic {
  path::Path path;
  Order order = Order::Integer;
};
struct PatchOperation {
  enum class Op { Add, Replace, Remove } op;
  std::string pointer;       // RFC 6901, as written
  std::vector<std::string> tokens;  // the pointer, unescaped
  std::optional<json::Value> value;  // strings may hold templates
};
struct Mutate {
  enum class When { Always, BreakGlass } when = When::Always;
  std::vector<PatchOperation> patch;
};

using RuleSpec = std::variant<Frozen, Exclusive, Require, Forbid, Pattern, Immutable, Monotonic, Mutate>;
std::string_view rule_type_name(const RuleSpec& spec);

struct Rule {
  std::string name;
  RuleSpec spec;
  std::optional<Template> message;
};

struct Policy {
  std::string name;
  std::string description;
  Mode mode = Mode::Enforce;
  Match match;
  std::optional<BreakGlass> break_glass;
  std::vector<Rule> rules;
  std::string source;  // file:line where the policy starts
  bool has_mutations = false;
  bool has_validations = false;
  // Policies that exclude the same subjects share a webhook registration (see
  // webhook_group()); set by PolicySet.
  std::string webhook_group;
  // Keeps patch values (json::Value) alive.
  std::shared_ptr<const json::Document> literals;
};

// The registration group of a policy: "all" when it excludes no subjects, else
// "x-" and a stable hash of its excludeSubjects. `driftgate webhook-config` gives
// each group its own webhook (path /validate/<group>, matchConditions that skip
// the excluded subjects); the server then evaluates only that group's policies.
std::string webhook_group(const Policy& policy);

// Whether a rule could read the node at `keys` of an admitted object (`frozen`:
// false, it compares everything but reads nothing in particular).
bool rule_may_read(const RuleSpec& spec, std::span<const std::string_view> keys);

// An immutable set with an index by kind: a request meets only the policies whose
// `kinds` could name it (plus those with a wildcard kind).
class PolicySet {
 public:
  PolicySet() = default;
  explicit PolicySet(std::vector<Policy> policies);

  const std::vector<Policy>& policies() const { return policies_; }
  // Indices into policies(), in order, of the policies that may match this kind.
  std::span<const std::uint32_t> candidates(std::string_view kind) const;
  const Policy* find(std::string_view name) const;
  bool has_webhook_group(std::string_view group) const;
  // Distinct webhook groups in order of first appearance.
  const std::vector<std::string>& webhook_groups() const { return webhook_groups_; }
  // Whether some rule could read the node at `keys` of an admitted object (e.g.
  // {"metadata", "managedFields"}): if none can, decoding may leave it out.
  bool reads(std::span<const std::string_view> keys) const;
  // reads({"metadata", "managedFields"}), computed once: managedFields is often a
  // third of an object and no default policy reads it.
  bool reads_managed_fields() const { return reads_managed_fields_; }

 private:
  std::vector<Policy> policies_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_kind_;
  std::vector<std::uint32_t> any_kind_;
  std::vector<std::string> webhook_groups_;
  bool reads_managed_fields_ = true;
};

}  // namespace driftgate::policy
