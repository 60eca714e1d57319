#pragma once
// What a stored scan found, as wgpolicyk8s.io/v1alpha2 PolicyReports (one per
// namespace) and a ClusterPolicyReport (cluster-scoped objects): the format Policy
// Reporter, Kyverno and Kubewarden read. docs/scan.md describes every field.
//
// Results are the failures only (drift, violations, what could not be read):
// a pass per object and policy would make a report as large as its namespace.
// A report holds at most kMaxResultsPerReport results (an object in etcd is
// limited to 1.5 MiB); the summary still counts every result, and the
// annotation kOmittedAnnotation says how many were left out.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/decision.h"
#include "scan/forensics.h"
#include "util/time.h"

namespace driftgate::scan {

inline constexpr std::string_view kReportApiVersion = "wgpolicyk8s.io/v1alpha2";
inline constexpr std::string_view kReportName = "driftgate";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "driftgate";
inline constexpr std::string_view kOmittedAnnotation = "driftgate.dev/results-omitted";
inline constexpr std::size_t kMaxResultsPerReport = 1000;

// A policy violation of a stored object (background evaluation).
struct ObjectViolation {
  std::string api_version, kind, namespace_, name, uid;
  engine::Violation violation;
};

struct ReportInput {
  const std::vector<Finding>* drift = nullptr;           // sorted as the summary sorts them
  const std::vector<ObjectViolation>* violations = nullptr;
  const std::vector<std::string>* unreadable = nullptr;  // "secrets: 403: ..."
  TimePoint now;
  // The scan was limited to this namespace: its report only (unreadable resources
  // are reported there), no ClusterPolicyReport.
  std::string only_namespace;
};

struct Report {
  std::string kind;        // PolicyReport or ClusterPolicyReport
  std::string namespace_;  // "" for the ClusterPolicyReport
  std::string json;        // the whole object, compact JSON
  std::size_t results = 0, omitted = 0;
};

// One report per namespace with results, and the ClusterPolicyReport when a
// cluster-scoped object has results or something could not be read. Ordered:
// the ClusterPolicyReport first, then namespaces by name.
std::vector<Report> policy_reports(const ReportInput& input);

}  // namespace driftgate::scan
