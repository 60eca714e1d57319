#pragma once
// What `driftgate scan --manifests` found, and the writers CI systems read: a
// summary for a terminal, JSON lines, JUnit XML and GitHub Actions workflow
// commands. Every writer works over the same list; none decides anything.
#include <ostream>
#include <string>
#include <vector>

#include "engine/decision.h"
#include "manifests/manifests.h"

namespace driftgate::cli {

// One object and what the policy set said about it.
struct JudgedObject {
  const manifests::Object* at = nullptr;
  std::string api_version, kind, namespace_, name;  // namespace_ as judged ("" cluster-scoped)
  std::vector<std::string> matched_policies;
  std::vector<engine::Violation> violations;
  std::string error;  // the review was refused (bad input), "" otherwise
  std::string operation = "CREATE";  // UPDATE when --cluster found the live object

  std::string object() const;  // "HelmRelease kyverno/kyverno", "ClusterRole view"
};

enum class Severity { Error, Warning };
// Enforce (not bypassed by break-glass) is an error: the API server would refuse
// the write. Warn and Audit are warnings.
Severity severity_of(const engine::Violation& v);

struct ScanResult {
  std::vector<JudgedObject> objects;
  std::vector<manifests::Problem> problems;  // bad input, from reading or judging
  std::size_t files = 0;
  std::size_t errors() const;
  std::size_t warnings() const;
};

void write_summary(std::ostream& out, const ScanResult& result, bool colour);
void write_json_lines(std::ostream& out, const ScanResult& result);
void write_junit(std::ostream& out, const ScanResult& result, bool warnings_fail);
void write_github(std::ostream& out, const ScanResult& result);

// GitHub's escaping of a workflow command's message and of its properties.
std::string github_escape_data(std::string_view text);
std::string github_escape_property(std::string_view text);
// XML text and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace driftgate::cli
