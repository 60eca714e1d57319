#include "policy/loader.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <unordered_map>

#include "json/yaml_documents.h"
#include "json/yaml_node.h"
#include "policy/kind_pattern.h"
#include "policy/strict_reader.h"
#include "util/file.h"
#include "util/suggest.h"
#include "util/time.h"

namespace driftgate::policy {

std::string LoadResult::error_text() const {
  std::string out;
  for (const Diagnostic& d : errors) out += d.str() + "\n";
  return out;
}

std::vector<std::string> LoadResult::error_strings() const {
  std::vector<std::string> out;
  out.reserve(errors.size());
  for (const Diagnostic& d : errors) out.push_back(d.str());
  return out;
}

namespace {

constexpr std::string_view kApiGroup = "driftgate.dev";

// What a YAML document of a policy directory is to the loader.
struct Classified {
  enum class Is { Policy, PolicyTest, Foreign, Error } is;
  std::string error;           // for Error
  bool at_kind = false;        // the error concerns `kind`, not `apiVersion`
};

// A group a typo away from ours: driftgate.io, driftgat.dev, Driftgate.dev,
// policies.driftgate.dev.
bool near_our_group(std::string_view group) {
  const std::string lower = to_lower(group);
  return lower.find("driftgate") != std::string::npos || edit_distance(lower, kApiGroup) <= 3;
}

// Another tool's apiVersion: a group with a dot (every custom resource group has
// one) and a Kubernetes version (v1, v2beta1). Kyverno's `kyverno.io/v1` Policy,
// or AWS's `iam.services.k8s.aws/v1alpha1` Policy, beside ours are not ours.
bool is_foreign_api_version(std::string_view group, std::string_view version) {
  if (group.find('.') == std::string_view::npos || version.size() < 2 || version[0] != 'v') return false;
  return std::isdigit(static_cast<unsigned char>(version[1])) != 0 &&
         std::all_of(version.begin() + 1, version.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

Classified classify(std::string_view api, std::string_view kind) {
  using Is = Classified::Is;
  if (api == kApiVersion) {
    if (kind == "Policy") return {Is::Policy, {}};
    if (kind == "PolicyTest") return {Is::PolicyTest, {}};
    return {Is::Error,
            "unknown kind \"" + std::string(kind) + "\", expected Policy or PolicyTest" +
                did_you_mean(closest(kind, {"Policy", "PolicyTest"})),
            true};
  }
  const auto slash = api.find('/');
  const std::string_view group = slash == std::string_view::npos ? api : api.substr(0, slash);
  const std::string_view version = slash == std::string_view::npos ? std::string_view{} : api.substr(slash + 1);
  const std::string not_supported =
      "apiVersion \"" + std::string(api) + "\" is not supported, expected " + std::string(kApiVersion);
  if (group == kApiGroup) return {Is::Error, not_supported};
  if (!api.empty() && near_our_group(group))
    return {Is::Error, "apiVersion \"" + std::string(api) + "\" is not driftgate's" + did_you_mean(kApiVersion)};
  const bool our_kind = kind == "Policy" || kind == "PolicyTest";
  // A `kind: Policy` without apiVersion is a typo of ours, not another tool's.
  if (api.empty()) {
    if (our_kind || is_near_miss(kind, "Policy") || is_near_miss(kind, "PolicyTest")) return {Is::Error, not_supported};
    return {Is::Foreign, {}};
  }
  if (our_kind && !is_foreign_api_version(group, version))
    return {Is::Error, "apiVersion \"" + std::string(api) + "\" is not known for kind " + std::string(kind) +
                           ": driftgate's is " + std::string(kApiVersion) +
                           " (another tool's document is skipped under a group with a dot and a Kubernetes version, "
                           "such as kyverno.io/v1)"};
  return {Is::Foreign, {}};
}

// Reads one policy document strictly, collecting every error with its position.
class DocumentReader : StrictReader {
 public:
  DocumentReader(const std::string& file, std::vector<Diagnostic>& errors, const LoadLimits& limits, json::Arena& arena)
      : StrictReader(file, errors), limits_(limits), arena_(arena) {}

  std::optional<Policy> read_policy(const YAML::Node& doc);

 private:
  std::optional<path::Path> path_at(const YAML::Node& n, const std::string& field) {
    return StrictReader::path_at(n, field, limits_.max_path_length);
  }
  std::vector<path::Path> path_list(const YAML::Node& n, const std::string& field) {
    return StrictReader::path_list(n, field, limits_.max_path_length);
  }

  std::optional<KindPattern> kind_pattern(const YAML::Node& n, const std::string& field);
  // A list of kinds; empty when one of them is "*".
  std::vector<KindPattern> kind_list(const YAML::Node& n, const std::string& field);
  std::vector<Frozen::Ignore> frozen_ignores(const YAML::Node& n, const std::string& field);
  void read_match(const YAML::Node& n, Match& match);
  std::vector<MetadataTerm> read_terms(const YAML::Node& n, const std::string& field);
  Subjects read_subjects(const YAML::Node& n, const std::string& field, bool allow_empty);
  std::optional<BreakGlass> read_break_glass(const YAML::Node& n);
  std::optional<Rule> read_rule(const YAML::Node& n, const std::string& field);
  std::optional<RuleSpec> read_rule_spec(std::string_view type, const YAML::Node& n, const std::string& field);
  std::optional<PatchOperation> read_patch_operation(const YAML::Node& n, const std::string& field);
  void check_templates(const json::Value& v, const YAML::Node& at, const std::string& field);

  std::vector<path::Path> require_paths(const YAML::Node& n, const std::string& field);

  const LoadLimits& limits_;
  json::Arena& arena_;
};

std::optional<KindPattern> DocumentReader::kind_pattern(const YAML::Node& n, const std::string& field) {
  auto text = scalar(n, field);
  if (!text) return std::nullopt;
  auto k = parse_kind_pattern(*text);
  if (!k) {
    error(n, field, k.error());
    return std::nullopt;
  }
  return std::move(*k);
}

std::vector<KindPattern> DocumentReader::kind_list(const YAML::Node& n, const std::string& field) {
  std::vector<KindPattern> kinds;
  if (!n.IsSequence()) {
    error(n, field, "expected a list of kinds, found " + describe(n));
    return kinds;
  }
  bool every_kind = false;
  for (std::size_t i = 0; i < n.size(); ++i)  // every entry is checked, also after a "*"
    if (auto k = kind_pattern(n[i], field + "[" + std::to_string(i) + "]")) {
      every_kind |= k->kind.matches_everything() && k->group.matches_everything() && k->version.matches_everything();
      kinds.push_back(std::move(*k));
    }
  if (every_kind) kinds.clear();  // "*" is the same as naming no kind: all of them
  return kinds;
}

std::vector<Frozen::Ignore> DocumentReader::frozen_ignores(const YAML::Node& n, const std::string& field) {
  std::vector<Frozen::Ignore> out;
  if (!n.IsSequence()) {
    error(n, field, "expected a list of paths or {path, kinds} entries, found " + describe(n));
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      if (auto p = path_at(n[i], f)) out.push_back({std::move(*p), {}});
      continue;
    }
    if (!expect_map(n[i], f, {"path", "kinds"})) continue;
    if (!n[i]["path"] || !n[i]["kinds"]) {
      error(n[i], f, "expected both path and kinds (a plain path ignores it for every kind)");
      continue;
    }
    if (n[i]["kinds"].IsSequence() && n[i]["kinds"].size() == 0) {
      // An empty list would read as "every kind": say so with a plain path instead.
      error(n[i]["kinds"], f + ".kinds", "must name at least one kind (a plain path ignores it for every kind)");
      continue;
    }
    auto p = path_at(n[i]["path"], f + ".path");
    auto kinds = kind_list(n[i]["kinds"], f + ".kinds");
    if (p) out.push_back({std::move(*p), std::move(kinds)});
  }
  return out;
}

std::vector<MetadataTerm> DocumentReader::read_terms(const YAML::Node& n, const std::string& field) {
  std::vector<MetadataTerm> terms;
  if (!n.IsSequence()) {
    error(n, field, "expected a list of {labels, annotations} entries, found " + describe(n));
    return terms;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    if (!expect_map(n[i], f, {"labels", "annotations"})) continue;
    MetadataTerm term;
    for (auto [key, out] : {std::pair{"labels", &term.labels}, std::pair{"annotations", &term.annotations}}) {
      const YAML::Node m = n[i][key];
      if (!m) continue;
      if (!m.IsMap()) {
        error(m, f + "." + key, "expected a mapping of key: glob, found " + describe(m));
        continue;
      }
      for (const auto& kv : m)
        if (auto v = scalar(kv.second, f + "." + key + "[\"" + kv.first.Scalar() + "\"]"))
          out->emplace_back(kv.first.Scalar(), Glob(*v));
    }
    if (term.labels.empty() && term.annotations.empty()) error(n[i], f, "an entry needs labels or annotations");
    terms.push_back(std::move(term));
  }
  return terms;
}

Subjects DocumentReader::read_subjects(const YAML::Node& n, const std::string& field, bool allow_empty) {
  Subjects s;
  if (!expect_map(n, field, {"users", "groups"})) return s;
  if (n["users"]) s.users = glob_list(n["users"], field + ".users");
  if (n["groups"]) s.groups = glob_list(n["groups"], field + ".groups");
  if (!allow_empty && s.empty()) error(n, field, "name at least one user or group");
  return s;
}

void DocumentReader::read_match(const YAML::Node& n, Match& match) {
  const std::string field = "spec.match";
  if (!expect_map(n, field, {"operations", "kinds", "namespaces", "excludeNamespaces", "objectSelector", "excludeSubjects"}))
    return;
  if (const YAML::Node ops = n["operations"]) {
    match.operations = 0;
    auto list = string_list(ops, field + ".operations");
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i] == "*") {
        match.operations = kCreate | kUpdate | kDelete | kConnect;
      } else if (auto op = parse_operation(list[i])) {
        match.operations |= *op;
      } else {
        error(ops[i], field + ".operations[" + std::to_string(i) + "]",
              "unknown operation \"" + list[i] + "\", expected CREATE, UPDATE, DELETE, CONNECT or *" +
                  did_you_mean(closest(list[i], {"CREATE", "UPDATE", "DELETE", "CONNECT"})));
      }
    }
    if (list.empty() && ops.IsSequence()) error(ops, field + ".operations", "must name at least one operation");
  }
  // An empty list is what a template renders when its input is empty, or what is left
  // after the last entry is deleted; taken as "no restriction" it would widen the
  // policy and its registration to everything, so it is an error.
  const auto refuse_empty = [this, &field](const YAML::Node& list, const char* key, const char* what) {
    if (list.IsSequence() && list.size() == 0)
      error(list, field + "." + key,
            std::string("must name at least one ") + what + " (leave the field out, or write \"*\", for every " +
                what + ")");
  };
  if (const YAML::Node kinds = n["kinds"]) {
    refuse_empty(kinds, "kinds", "kind");
    match.kinds = kind_list(kinds, field + ".kinds");
  }
  if (const YAML::Node ns = n["namespaces"]) {
    refuse_empty(ns, "namespaces", "namespace");
    match.namespaces = glob_list(ns, field + ".namespaces");
    if (std::any_of(match.namespaces.begin(), match.namespaces.end(), [](const Glob& g) { return g.matches_everything(); }))
      match.namespaces.clear();
  }
  if (const YAML::Node ns = n["excludeNamespaces"]) match.exclude_namespaces = glob_list(ns, field + ".excludeNamespaces");
  if (const YAML::Node sel = n["objectSelector"]) {
    if (expect_map(sel, field + ".objectSelector", {"anyOf", "noneOf"})) {
      ObjectSelector selector;
      if (sel["anyOf"]) selector.any_of = read_terms(sel["anyOf"], field + ".objectSelector.anyOf");
      if (sel["noneOf"]) selector.none_of = read_terms(sel["noneOf"], field + ".objectSelector.noneOf");
      match.object_selector = std::move(selector);
    }
  }
  if (const YAML::Node subjects = n["excludeSubjects"])
    match.exclude_subjects = read_subjects(subjects, field + ".excludeSubjects", true);
}

std::optional<BreakGlass> DocumentReader::read_break_glass(const YAML::Node& n) {
  const std::string field = "spec.breakGlass";
  if (!expect_map(n, field, {"groups", "users", "maxWindow"})) return std::nullopt;
  BreakGlass bg;
  if (n["users"]) bg.allowed.users = glob_list(n["users"], field + ".users");
  if (n["groups"]) bg.allowed.groups = glob_list(n["groups"], field + ".groups");
  if (bg.allowed.empty()) error(n, field, "name the groups (or users) who may break glass");
  if (const YAML::Node w = n["maxWindow"]) {
    if (auto text = scalar(w, field + ".maxWindow")) {
      auto d = parse_duration(*text);
      if (!d || d->count() <= 0)
        error(w, field + ".maxWindow", "invalid duration \"" + *text + "\", expected e.g. 30m, 4h or 1h30m");
      else
        bg.max_window = *d;
    }
  } else {
    error(n, field, "missing maxWindow: a break-glass window must be bounded (e.g. maxWindow: 4h)");
  }
  return bg;
}

void DocumentReader::check_templates(const json::Value& v, const YAML::Node& at, const std::string& field) {
  if (v.is_string()) {
    if (v.as_string().find("{{") != std::string_view::npos) {
      auto t = Template::parse(v.as_string());
      if (!t) error(at, field, t.error());
    }
    return;
  }
  for (const json::Value& item : v.items()) check_templates(item, at, field);
  for (const json::Member& m : v.members()) check_templates(m.value, at, field);
}

std::optional<PatchOperation> DocumentReader::read_patch_operation(const YAML::Node& n, const std::string& field) {
  if (!expect_map(n, field, {"op", "path", "value"})) return std::nullopt;
  PatchOperation op;
  auto name = n["op"] ? scalar(n["op"], field + ".op") : std::nullopt;
  if (!n["op"]) error(n, field, "missing op (add, replace or remove)");
  if (name) {
    if (*name == "add") op.op = PatchOperation::Op::Add;
    else if (*name == "replace") op.op = PatchOperation::Op::Replace;
    else if (*name == "remove") op.op = PatchOperation::Op::Remove;
    else error(n["op"], field + ".op", "unsupported op \"" + *name + "\", expected add, replace or remove");
  }
  if (!n["path"]) {
    error(n, field, "missing path (a JSON Pointer such as /metadata/annotations/example.com~1key)");
    return std::nullopt;
  }
  auto pointer = scalar(n["path"], field + ".path");
  if (!pointer) return std::nullopt;
  if (pointer->empty() || pointer->front() != '/') {
    error(n["path"], field + ".path", "a JSON Pointer must start with '/', found \"" + *pointer + "\"");
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
        error(n["path"], field + ".path", "'~' must be followed by 0 or 1 in a JSON Pointer");
        return std::nullopt;
      }
      token.push_back(next == '0' ? '~' : '/');
      ++i;
    } else {
      token.push_back((*pointer)[i]);
    }
  }
  if (const YAML::Node value = n["value"]) {
    if (op.op == PatchOperation::Op::Remove) error(value, field + ".value", "remove takes no value");
    auto v = json::from_yaml_node(value, arena_);
    if (!v) error(value, field + ".value", v.error());
    else {
      check_templates(*v, value, field + ".value");
      op.value = *v;
    }
  } else if (op.op != PatchOperation::Op::Remove) {
    error(n, field, "missing value for " + std::string(op.op == PatchOperation::Op::Add ? "add" : "replace"));
  }
  return op;
}

// A path ending in a wildcard requires nothing of what it reaches (each element
// has "the rest", which is nothing): it would load and never report.
std::vector<path::Path> DocumentReader::require_paths(const YAML::Node& n, const std::string& field) {
  std::vector<path::Path> paths = path_list(n, field);
  if (!n.IsSequence() || paths.size() != n.size()) return paths;  // the bad ones are reported already
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& segments = paths[i].segments();
    if (segments.empty()) continue;
    const path::Segment::Kind last = segments.back().kind;
    if (last != path::Segment::Kind::AnyIndex && last != path::Segment::Kind::AnyKey &&
        last != path::Segment::Kind::Descendants)
      continue;
    std::string whole = paths[i].str();
    // `spec.containers[*]` -> "spec.containers"; `metadata.labels.*` -> "metadata.labels".
    std::string parent = whole;
    for (std::string_view tail : {"[*]", ".**", ".*", "**", "*"})
      if (parent.ends_with(tail)) {
        parent.resize(parent.size() - tail.size());
        break;
      }
    std::string advice = parent.empty() ? "name a field of each element, e.g. " + whole + ".name"
                                        : "write " + parent + " to require the " +
                                              (last == path::Segment::Kind::AnyIndex ? "list" : "object") + ", or " +
                                              whole + ".<field> to require a field of every " +
                                              (last == path::Segment::Kind::AnyIndex ? "element" : "value");
    error(n[i], field + "[" + std::to_string(i) + "]",
          "\"" + whole + "\" ends in a wildcard, so it requires nothing of each " +
              (last == path::Segment::Kind::AnyIndex ? "element" : "value") + ": " + advice);
  }
  return paths;
}

std::optional<RuleSpec> DocumentReader::read_rule_spec(std::string_view type, const YAML::Node& n,
                                                        const std::string& field) {
  if (type == "frozen") {
    Frozen f;
    if (n.IsNull()) return f;
    if (!expect_map(n, field, {"ignore"})) return std::nullopt;
    if (n["ignore"]) f.ignore = frozen_ignores(n["ignore"], field + ".ignore");
    return f;
  }
  if (type == "exclusive") {
    if (!expect_map(n, field, {"at", "fields"})) return std::nullopt;
    Exclusive e;
    if (n["at"])
      if (auto p = path_at(n["at"], field + ".at")) e.at = *p;
    if (!n["fields"]) {
      error(n, field, "missing fields: name two or more fields of which at most one may be set");
      return std::nullopt;
    }
    e.fields = path_list(n["fields"], field + ".fields");
    if (n["fields"].IsSequence() && n["fields"].size() < 2) error(n["fields"], field + ".fields", "name at least two fields");
    return e;
  }
  if (type == "require") return Require{require_paths(n, field)};
  if (type == "forbid") return Forbid{path_list(n, field)};
  if (type == "immutable") return Immutable{path_list(n, field)};
  if (type == "pattern") {
    if (!expect_map(n, field, {"path", "regex", "negate"})) return std::nullopt;
    Pattern p;
    if (!n["path"]) error(n, field, "missing path");
    else if (auto path = path_at(n["path"], field + ".path")) p.path = *path;
    if (n["negate"])
      if (auto b = boolean(n["negate"], field + ".negate")) p.negate = *b;
    if (!n["regex"]) {
      error(n, field, "missing regex (RE2 syntax)");
      return std::nullopt;
    }
    auto re = scalar(n["regex"], field + ".regex");
    if (!re) return std::nullopt;
    if (re->size() > limits_.max_regex_length) {
      error(n["regex"], field + ".regex",
            "regex is longer than the limit of " + std::to_string(limits_.max_regex_length) + " characters");
      return std::nullopt;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    auto compiled = std::make_shared<const RE2>(*re, options);
    if (!compiled->ok()) {
      error(n["regex"], field + ".regex", "invalid RE2 regex: " + compiled->error());
      return std::nullopt;
    }
    p.regex = std::move(compiled);
    p.regex_text = *re;
    return p;
  }
  if (type == "monotonic") {
    if (!expect_map(n, field, {"path", "order"})) return std::nullopt;
    Monotonic m;
    if (!n["path"]) error(n, field, "missing path");
    else if (auto path = path_at(n["path"], field + ".path")) m.path = *path;
    if (n["order"]) {
      if (auto order = scalar(n["order"], field + ".order")) {
        if (*order == "integer") m.order = Order::Integer;
        else if (*order == "semver") m.order = Order::Semver;
        else if (*order == "time") m.order = Order::Time;
        else error(n["order"], field + ".order", "unknown order \"" + *order + "\", expected integer, semver or time");
      }
    } else {
      error(n, field, "missing order (integer, semver or time)");
    }
    return m;
  }
  if (type == "mutate") {
    if (!expect_map(n, field, {"when", "patch"})) return std::nullopt;
    Mutate m;
    if (n["when"]) {
      if (auto when = scalar(n["when"], field + ".when")) {
        if (*when == "always") m.when = Mutate::When::Always;
        else if (*when == "breakGlass") m.when = Mutate::When::BreakGlass;
        else error(n["when"], field + ".when", "unknown value \"" + *when + "\", expected always or breakGlass");
      }
    }
    const YAML::Node patch = n["patch"];
    if (!patch || !patch.IsSequence() || patch.size() == 0) {
      error(patch ? patch : n, field + ".patch", "expected a non-empty list of JSON Patch operations");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < patch.size(); ++i)
      if (auto op = read_patch_operation(patch[i], field + ".patch[" + std::to_string(i) + "]"))
        m.patch.push_back(std::move(*op));
    return m;
  }
  return std::nullopt;
}

constexpr std::string_view kRuleTypes[] = {"frozen", "exclusive", "require", "forbid",
                                           "pattern", "immutable", "monotonic", "mutate"};

std::optional<Rule> DocumentReader::read_rule(const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) {
    error(n, field, "expected a rule mapping (name, one rule type, optional message), found " + describe(n));
    return std::nullopt;
  }
  Rule rule;
  std::vector<std::pair<std::string, YAML::Node>> types;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    if (key == "name") {
      if (auto s = scalar(kv.second, field + ".name")) rule.name = *s;
    } else if (key == "message") {
      if (auto s = scalar(kv.second, field + ".message")) {
        auto t = Template::parse(*s);
        if (!t) error(kv.second, field + ".message", t.error());
        else rule.message = std::move(*t);
      }
    } else if (std::find(std::begin(kRuleTypes), std::end(kRuleTypes), key) != std::end(kRuleTypes)) {
      types.emplace_back(key, kv.second);
    } else {
      error(kv.first, field,
            "unknown rule field \"" + key +
                "\", expected name, message and one rule type: frozen, exclusive, require, forbid, pattern, "
                "immutable, monotonic or mutate" +
                did_you_mean(closest(key, {"name", "message", "frozen", "exclusive", "require", "forbid", "pattern",
                                           "immutable", "monotonic", "mutate"})));
    }
  }
  if (rule.name.empty()) error(n, field, "missing name");
  if (types.size() != 1) {
    error(n, field,
          types.empty() ? "missing rule type: expected one of frozen, exclusive, require, forbid, pattern, immutable, "
                          "monotonic, mutate"
                        : "a rule has exactly one rule type, found " + types[0].first + " and " + types[1].first);
    return std::nullopt;
  }
  auto spec = read_rule_spec(types[0].first, types[0].second, field + "." + types[0].first);
  if (!spec) return std::nullopt;
  rule.spec = std::move(*spec);
  return rule;
}

std::optional<Policy> DocumentReader::read_policy(const YAML::Node& doc) {
  const std::size_t errors_before = error_count();
  Policy policy;
  const YAML::Mark start = doc.Mark();
  policy.source = file() + ":" + std::to_string(start.line + 1);
  auto header = read_header(doc);
  if (!header) return std::nullopt;
  policy.name = header->name;
  const YAML::Node spec = header->spec;
  if (!expect_map(spec, "spec", {"description", "mode", "match", "breakGlass", "rules"})) return std::nullopt;
  if (spec["description"])
    if (auto d = scalar(spec["description"], "spec.description")) policy.description = *d;
  if (const YAML::Node mode = spec["mode"]) {
    if (auto m = one_of(mode, "spec.mode", "mode", {"Enforce", "Warn", "Audit"}))
      policy.mode = *m == "Warn" ? Mode::Warn : *m == "Audit" ? Mode::Audit : Mode::Enforce;
  }
  if (spec["match"]) read_match(spec["match"], policy.match);
  if (spec["breakGlass"]) policy.break_glass = read_break_glass(spec["breakGlass"]);
  const YAML::Node rules = spec["rules"];
  if (!rules || !rules.IsSequence() || rules.size() == 0) {
    error(rules ? rules : spec, "spec.rules", "expected a non-empty list of rules");
  } else {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      std::string field = "spec.rules[" + std::to_string(i) + "]";
      auto rule = read_rule(rules[i], field);
      if (!rule) continue;
      for (const Rule& other : policy.rules)
        if (other.name == rule->name) error(rules[i], field, "duplicate rule name \"" + rule->name + "\"");
      if (const auto* m = std::get_if<Mutate>(&rule->spec)) {
        policy.has_mutations = true;
        if (m->when == Mutate::When::BreakGlass && !spec["breakGlass"])
          error(rules[i], field, "mutate with when: breakGlass needs the policy's spec.breakGlass");
      } else {
        policy.has_validations = true;
      }
      policy.rules.push_back(std::move(*rule));
    }
  }
  if (error_count() != errors_before) return std::nullopt;
  return policy;
}

struct FileDocuments {
  std::vector<YAML::Node> documents;
  bool ok = true;
};

FileDocuments parse_file(const SourceFile& file, std::vector<Diagnostic>& errors) {
  FileDocuments out;
  try {
    out.documents = json::load_all_documents(file.text);
  } catch (const YAML::Exception& e) {
    errors.push_back({file.path, e.mark.line + 1, e.mark.column + 1, "", "malformed YAML: " + e.msg});
    out.ok = false;
  }
  return out;
}

}  // namespace

Result<std::vector<SourceFile>> read_policy_files(const std::filesystem::path& dir, const LoadLimits& limits) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error{dir.string() + ": not a directory"};
  std::vector<fs::path> paths;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) return Error{dir.string() + ": " + ec.message()};
  for (; it != end; it.increment(ec)) {
    if (ec) return Error{dir.string() + ": " + ec.message()};
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    auto ext = it->path().extension();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<SourceFile> files;
  for (const fs::path& p : paths) {
    auto text = read_file(p, limits.max_file_bytes);
    if (!text) return Error{text.error()};
    files.push_back({p.string(), std::move(*text)});
  }
  return files;
}

LoadResult load_sources(const std::vector<SourceFile>& files, const LoadLimits& limits) {
  LoadResult result;
  result.files = files.size();
  std::vector<Policy> policies;
  std::unordered_map<std::string, std::string> first_definition;
  auto literals = std::make_shared<json::Document>();
  for (const SourceFile& file : files) {
    if (file.text.size() > limits.max_file_bytes) {
      result.errors.push_back(
          {file.path, 0, 0, "", "file is larger than the limit of " + std::to_string(limits.max_file_bytes) + " bytes"});
      continue;
    }
    FileDocuments parsed = parse_file(file, result.errors);
    for (const YAML::Node& doc : parsed.documents) {
      if (!doc || doc.IsNull()) continue;
      if (!doc.IsMap()) continue;  // not a Kubernetes-style document: not ours
      const YAML::Node api = doc["apiVersion"], kind = doc["kind"];
      std::string api_text = api && api.IsScalar() ? api.Scalar() : "";
      std::string kind_text = kind && kind.IsScalar() ? kind.Scalar() : "";
      const YAML::Mark mark = doc.Mark();
      const Classified what = classify(api_text, kind_text);
      if (what.is == Classified::Is::Foreign || what.is == Classified::Is::PolicyTest) continue;  // tests: policytest
      if (what.is == Classified::Is::Error) {
        const YAML::Node at = what.at_kind && kind ? kind : api ? api : doc;
        const YAML::Mark m = at.Mark();
        result.errors.push_back({file.path, m.line + 1, m.column + 1, "", what.error});
        continue;
      }
      DocumentReader reader(file.path, result.errors, limits, *literals->arena);
      auto policy = reader.read_policy(doc);
      if (!policy) continue;
      auto [it, inserted] = first_definition.try_emplace(policy->name, policy->source);
      if (!inserted) {
        result.errors.push_back({file.path, mark.line + 1, mark.column + 1, policy->name,
                                 "duplicate policy name, first defined at " + it->second});
        continue;
      }
      policies.push_back(std::move(*policy));
      if (policies.size() > limits.max_policies) {
        result.errors.push_back({file.path, mark.line + 1, mark.column + 1, "",
                                 "more policies than the limit of " + std::to_string(limits.max_policies)});
        return result;
      }
    }
  }
  if (!result.errors.empty()) return result;
  std::shared_ptr<const json::Document> shared_literals = std::move(literals);
  for (Policy& p : policies) p.literals = shared_literals;
  result.set = std::make_shared<const PolicySet>(std::move(policies));
  return result;
}

void require_policies(LoadResult& result, const std::string& directory) {
  if (!result.ok() || !result.set->policies().empty()) return;
  std::string files = std::to_string(result.files) + (result.files == 1 ? " file" : " files");
  if (result.files == 0) files += " (no *.yaml or *.yml file)";
  result.errors.push_back({directory, 0, 0, "",
                           "no policies in " + files + ": a policy set needs at least one document with apiVersion " +
                               std::string(kApiVersion) + " and kind Policy"});
  result.set.reset();
}

LoadResult load_directory(const std::filesystem::path& dir, const LoadLimits& limits) {
  auto files = read_policy_files(dir, limits);
  if (!files) {
    LoadResult result;
    result.errors.push_back({dir.string(), 0, 0, "", files.error()});
    return result;
  }
  LoadResult result = load_sources(*files, limits);
  require_policies(result, dir.string());
  return result;
}

}  // namespace driftgate::policy
