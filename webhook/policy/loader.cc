#include "policy/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <unordered_map>

#include "json/yaml_documents.h"
#include "json/yaml_error.h"
#include "json/yaml_node.h"
#include "policy/kind_pattern.h"
#include "policy/pod_templates.h"
#include "policy/rule_reader.h"
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
class DocumentReader : RuleReader {
 public:
  using RuleReader::RuleReader;

  std::optional<Policy> read_policy(const YAML::Node& doc);

 private:
  void read_match(const YAML::Node& n, Match& match);
  std::vector<MetadataTerm> read_terms(const YAML::Node& n, const std::string& field);
  Subjects read_subjects(const YAML::Node& n, const std::string& field, bool allow_empty);
  std::optional<BreakGlass> read_break_glass(const YAML::Node& n);
  std::optional<Rule> read_rule(const YAML::Node& n, const std::string& field);
};

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
  if (!expect_map(n, field,
                  {"operations", "kinds", "namespaces", "excludeNamespaces", "names", "excludeNames", "podTemplates",
                   "objectSelector", "excludeSubjects"}))
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
  if (const YAML::Node names = n["names"]) {
    refuse_empty(names, "names", "name");
    match.names = glob_list(names, field + ".names");
    if (std::any_of(match.names.begin(), match.names.end(), [](const Glob& g) { return g.matches_everything(); }))
      match.names.clear();
  }
  if (const YAML::Node names = n["excludeNames"]) match.exclude_names = glob_list(names, field + ".excludeNames");
  if (const YAML::Node pods = n["podTemplates"]) {
    if (auto on = boolean(pods, field + ".podTemplates"); on && *on) {
      const bool names_pod = std::any_of(match.kinds.begin(), match.kinds.end(), [](const KindPattern& k) {
        return k.kind.pattern() == "Pod" && k.group.matches("");
      });
      // A workload named beside Pod would be judged through its template, not as written.
      std::string workload;
      for (const KindPattern& k : match.kinds)
        for (const PodTemplateKind& w : kPodTemplateKinds)
          if (workload.empty() && k.kind.is_literal() && k.matches(w.group, "v1", w.kind)) workload = w.kind;
      if (!names_pod) {
        error(pods, field + ".podTemplates",
              "podTemplates applies Pod rules to workload templates: kinds must name Pod (e.g. kinds: [Pod])");
      } else if (!workload.empty()) {
        error(pods, field + ".podTemplates",
              "kinds names " + workload +
                  ", whose Pod template podTemplates already judges with the Pod rules: write kinds: [Pod], and "
                  "rules for the " + workload + " itself in another policy");
      } else {
        match.pod_templates = true;
        set_pod_templates(true);
        // The workloads are matched (and registered by webhook-config) like any kind.
        for (const PodTemplateKind& w : kPodTemplateKinds)
          if (auto k = parse_kind_pattern(w.pattern)) match.kinds.push_back(std::move(*k));
      }
    }
  }
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

// "frozen, exclusive, … or deny", from the list of rule types.
std::string rule_type_choices() {
  std::string out;
  for (std::size_t i = 0; i < kRuleTypeNames.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == kRuleTypeNames.size() ? " or " : ", ") + std::string(kRuleTypeNames[i]);
  return out;
}

bool is_rule_type(std::string_view key) {
  return std::find(kRuleTypeNames.begin(), kRuleTypeNames.end(), key) != kRuleTypeNames.end();
}

std::optional<Rule> DocumentReader::read_rule(const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) {
    error(n, field, "expected a rule mapping (name, one rule type, optional message), found " + describe(n));
    return std::nullopt;
  }
  static constexpr std::string_view kRuleFields[] = {"name", "message", "when", "forEach"};
  Rule rule;
  std::vector<std::pair<std::string, YAML::Node>> types;
  std::vector<std::pair<std::string, YAML::Node>> scope;  // when, forEach
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    if (key == "name") {
      if (auto s = scalar(kv.second, field + ".name")) rule.name = *s;
    } else if (key == "message") {
      if (auto t = template_at(kv.second, field + ".message")) rule.message = std::move(*t);
    } else if (key == "when" || key == "forEach") {
      scope.emplace_back(key, kv.first);
    } else if (is_rule_type(key)) {
      types.emplace_back(key, kv.second);
    } else {
      std::vector<std::string_view> candidates(std::begin(kRuleFields), std::end(kRuleFields));
      candidates.insert(candidates.end(), kRuleTypeNames.begin(), kRuleTypeNames.end());
      error(kv.first, field,
            "unknown rule field \"" + key + "\", expected name, message and one rule type: " + rule_type_choices() +
                did_you_mean(closest(key, candidates)));
    }
  }
  if (rule.name.empty()) error(n, field, "missing name");
  if (types.size() != 1) {
    error(n, field,
          types.empty() ? "missing rule type: expected one of " + rule_type_choices()
                        : "a rule has exactly one rule type, found " + types[0].first + " and " + types[1].first);
    return std::nullopt;
  }
  if (!takes_when_and_for_each(types[0].first))
    for (const auto& [key, at] : scope)
      error(at, field, key + " applies to expect and deny rules, not to " + types[0].first);
  const std::string type_field = field + "." + types[0].first;
  auto spec = read_rule_spec(types[0].first, *this, RuleSource{types[0].second, n, type_field});
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
      if (judges(rule->spec) == Judges::Patch) policy.has_mutations = true;
      else policy.has_validations = true;
      if (const auto* m = std::get_if<Mutate>(&rule->spec))
        if (m->when == Mutate::When::BreakGlass && !spec["breakGlass"])
          error(rules[i], field, "mutate with when: breakGlass needs the policy's spec.breakGlass");
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

// Paths such as spec.containers[*] are plain scalars in block YAML, but inside a
// flow collection ([...] or {...}) YAML reads `*` as an alias and `[`/`]` as
// brackets, and yaml-cpp's words for that ("alias not found after *", "end of map
// flow not found") do not say what to do. The hint does, when the line has a `*`.
std::string yaml_error_hint(std::string_view text, int line, std::string_view message) {
  const bool flow_or_alias = message.find("alias") != std::string_view::npos ||
                             message.find("flow") != std::string_view::npos;
  if (!flow_or_alias || line < 0) return "";
  std::size_t begin = 0;
  for (int i = 0; i < line && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return "";
  const std::string_view line_text = text.substr(begin, text.find('\n', begin) - begin);
  if (line_text.find('*') == std::string_view::npos) return "";
  return "; a path with * inside [...] or {...} must be quoted, e.g. \"spec.containers[*]\" "
         "(YAML reads an unquoted * there as an alias)";
}

FileDocuments parse_file(const SourceFile& file, std::vector<Diagnostic>& errors) {
  FileDocuments out;
  try {
    out.documents = json::load_all_documents(file.text);
  } catch (const YAML::Exception& e) {
    errors.push_back({file.path, e.mark.line + 1, e.mark.column + 1, "",
                      "malformed YAML: " + json::yaml_error_message(e) + yaml_error_hint(file.text, e.mark.line, e.msg)});
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
