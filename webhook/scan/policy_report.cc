#include "scan/policy_report.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "json/writer.h"

namespace driftgate::scan {
namespace {

// One result, before it is written: the report it goes to, and its category and outcome.
struct Pending {
  const Finding* drift = nullptr;
  const ObjectViolation* violation = nullptr;
  const std::string* unreadable = nullptr;
  std::string_view result;  // fail, warn, error
};

struct Counts {
  std::size_t fail = 0, warn = 0, error = 0;
};

void resource(json::Writer& w, std::string_view api_version, std::string_view kind, std::string_view ns,
              std::string_view name, std::string_view uid) {
  w.key("resources").begin_array().begin_object().field("apiVersion", api_version).field("kind", kind);
  if (!ns.empty()) w.field("namespace", ns);
  w.field("name", name);
  if (!uid.empty()) w.field("uid", uid);
  w.end_object().end_array();
}

void write_result(json::Writer& w, const Pending& p, std::int64_t seconds) {
  w.begin_object();
  if (p.drift) {
    const Finding& f = *p.drift;
    w.field("policy", f.policy).field("rule", f.rule).field("category", "drift");
    w.field("message", f.str());
    resource(w, f.api_version, f.kind, f.namespace_, f.name, f.uid);
    w.key("properties").begin_object().field("path", f.path).field("manager", f.manager);
    w.field("operation", f.operation);
    if (!f.subresource.empty()) w.field("subresource", f.subresource);
    if (f.time) w.field("time", format_rfc3339(*f.time));
    w.field("owner", f.owner).end_object();
  } else if (p.violation) {
    const ObjectViolation& v = *p.violation;
    w.field("policy", v.violation.policy).field("rule", v.violation.rule).field("category", "policy");
    w.field("message", v.violation.message);
    resource(w, v.api_version, v.kind, v.namespace_, v.name, v.uid);
    std::string paths;
    for (const std::string& path : v.violation.paths) paths.append(paths.empty() ? "" : ", ").append(path);
    w.key("properties").begin_object().field("mode", policy::to_string(v.violation.mode));
    if (!paths.empty()) w.field("paths", paths);
    w.end_object();
  } else {
    // A resource that could not be read: the scan is incomplete, said where it is seen.
    w.field("policy", "driftgate").field("rule", "read").field("category", "scan");
    w.field("message", *p.unreadable);
  }
  w.field("result", p.result).field("scored", true).field("source", "driftgate");
  w.key("timestamp").begin_object().field("seconds", seconds).field("nanos", 0).end_object();
  w.end_object();
}

}  // namespace

std::vector<Report> policy_reports(const ReportInput& input) {
  // "" is the ClusterPolicyReport.
  std::map<std::string, std::vector<Pending>> by_namespace;
  const auto target = [&](const std::string& ns) -> std::vector<Pending>& {
    return by_namespace[input.only_namespace.empty() ? ns : input.only_namespace];
  };
  if (input.unreadable)
    for (const std::string& u : *input.unreadable) target("").push_back({nullptr, nullptr, &u, "error"});
  if (input.drift)
    for (const Finding& f : *input.drift) target(f.namespace_).push_back({&f, nullptr, nullptr, "fail"});
  if (input.violations)
    for (const ObjectViolation& v : *input.violations)
      target(v.namespace_).push_back(
          {nullptr, &v, nullptr, v.violation.mode == policy::Mode::Enforce ? "fail" : "warn"});

  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(input.now.time_since_epoch()).count();
  std::vector<Report> reports;
  for (const auto& [ns, pending] : by_namespace) {
    Report report;
    report.kind = ns.empty() ? "ClusterPolicyReport" : "PolicyReport";
    report.namespace_ = ns;
    Counts counts;
    for (const Pending& p : pending) {
      if (p.result == "fail") ++counts.fail;
      else if (p.result == "warn") ++counts.warn;
      else ++counts.error;
    }
    report.results = std::min(pending.size(), kMaxResultsPerReport);
    report.omitted = pending.size() - report.results;
    json::Writer w;
    w.begin_object().field("apiVersion", kReportApiVersion).field("kind", report.kind);
    w.key("metadata").begin_object().field("name", kReportName);
    if (!ns.empty()) w.field("namespace", ns);
    w.key("labels").begin_object().field(kManagedByLabel, kManagedByValue).end_object();
    if (report.omitted > 0)
      w.key("annotations").begin_object().field(kOmittedAnnotation, std::to_string(report.omitted)).end_object();
    w.end_object();
    w.key("results").begin_array();
    for (std::size_t i = 0; i < report.results; ++i) write_result(w, pending[i], seconds);
    w.end_array();
    w.key("summary").begin_object().field("pass", 0).field("fail", counts.fail).field("warn", counts.warn);
    w.field("error", counts.error).field("skip", 0).end_object();
    report.json = w.end_object().take();
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace driftgate::scan
