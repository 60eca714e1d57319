#include "policy/rule_reader.h"

#include <re2/re2.h>

namespace driftgate::policy {

bool RuleReader::pod_path_ok(const path::Path& p, const YAML::Node& n, const std::string& field) {
  if (!pod_templates_) return true;
  const auto& s = p.segments();
  if (!s.empty() && s[0].kind == path::Segment::Kind::Key && (s[0].key == "spec" || s[0].key == "metadata"))
    return true;
  // Appended, not `"\"" + p.str()`: GCC 12's -Wrestrict false positive (insert at 0).
  std::string message = "\"";
  message += p.str();
  message +=
      "\": with match.podTemplates a rule path is a Pod's path, so it starts with spec or metadata (it is read at "
      "spec.template.… in the workloads)";
  error(n, field, message);
  return false;
}

std::optional<path::Path> RuleReader::relative_path_at(const YAML::Node& n, const std::string& field) {
  return StrictReader::path_at(n, field, limits_.max_path_length);
}

std::optional<path::Path> RuleReader::path_at(const YAML::Node& n, const std::string& field) {
  auto p = relative_path_at(n, field);
  if (p && !pod_path_ok(*p, n, field)) return std::nullopt;
  return p;
}

std::vector<path::Path> RuleReader::path_list(const YAML::Node& n, const std::string& field) {
  std::vector<path::Path> paths = StrictReader::path_list(n, field, limits_.max_path_length);
  if (n.IsSequence() && paths.size() == n.size())
    for (std::size_t i = 0; i < paths.size(); ++i) pod_path_ok(paths[i], n[i], field + "[" + std::to_string(i) + "]");
  return paths;
}

std::shared_ptr<const re2::RE2> RuleReader::regex(const YAML::Node& n, const std::string& field) {
  auto re = scalar(n, field);
  if (!re) return nullptr;
  if (re->size() > limits_.max_regex_length) {
    error(n, field, "regex is longer than the limit of " + std::to_string(limits_.max_regex_length) + " characters");
    return nullptr;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  auto compiled = std::make_shared<const RE2>(*re, options);
  if (!compiled->ok()) {
    error(n, field, "invalid RE2 regex: " + compiled->error());
    return nullptr;
  }
  return compiled;
}

std::optional<Template> RuleReader::template_at(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field);
  if (!s) return std::nullopt;
  auto t = Template::parse(*s);
  if (!t) {
    error(n, field, t.error());
    return std::nullopt;
  }
  return std::move(*t);
}

std::optional<KindPattern> RuleReader::kind_pattern(const YAML::Node& n, const std::string& field) {
  auto text = scalar(n, field);
  if (!text) return std::nullopt;
  auto k = parse_kind_pattern(*text);
  if (!k) {
    error(n, field, k.error());
    return std::nullopt;
  }
  return std::move(*k);
}

std::vector<KindPattern> RuleReader::kind_list(const YAML::Node& n, const std::string& field) {
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

}  // namespace driftgate::policy
