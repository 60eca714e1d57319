#pragma once
// What every rule type's reader reads with: the strict reader (file:line:column,
// suggestions) plus the load limits, the arena that keeps literals, and the
// policy-level facts a rule must respect (podTemplates restricts its paths).
// Only loader.cc and the rule types' sources include it (it pulls in yaml-cpp).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "policy/kind_pattern.h"
#include "policy/loader.h"
#include "policy/strict_reader.h"
#include "policy/template.h"

namespace re2 {
class RE2;
}

namespace driftgate::policy {

class RuleReader : public StrictReader {
 public:
  RuleReader(const std::string& file, std::vector<Diagnostic>& errors, const LoadLimits& limits, json::Arena& arena)
      : StrictReader(file, errors), limits_(limits), arena_(arena) {}

  const LoadLimits& limits() const { return limits_; }
  json::Arena& arena() { return arena_; }

  // Set once spec.match is read: rule paths are then written against a Pod, so they
  // start with spec or metadata (see policy/pod_templates.h).
  void set_pod_templates(bool on) { pod_templates_ = on; }
  bool pod_templates() const { return pod_templates_; }

  // A path of the object (under podTemplates: of the Pod, so spec.… or metadata.…).
  std::optional<path::Path> path_at(const YAML::Node& n, const std::string& field);
  std::vector<path::Path> path_list(const YAML::Node& n, const std::string& field);
  // A path without the podTemplates restriction (relative to a forEach element).
  std::optional<path::Path> relative_path_at(const YAML::Node& n, const std::string& field);
  // Reports (and returns false) when podTemplates is on and `p` is not a Pod's path.
  bool pod_path_ok(const path::Path& p, const YAML::Node& n, const std::string& field);

  // An RE2 regex within the length limit, compiled once; nullptr when reported.
  std::shared_ptr<const re2::RE2> regex(const YAML::Node& n, const std::string& field);
  // A message or value template; nullopt when reported.
  std::optional<Template> template_at(const YAML::Node& n, const std::string& field);

  std::optional<KindPattern> kind_pattern(const YAML::Node& n, const std::string& field);
  // A list of kinds; empty when one of them is "*".
  std::vector<KindPattern> kind_list(const YAML::Node& n, const std::string& field);

 private:

  const LoadLimits& limits_;
  json::Arena& arena_;
  bool pod_templates_ = false;
};

}  // namespace driftgate::policy
