// PolicyReports (scan/policy_report.h) against the real CRDs of
// tests/fixtures/crds: every generated report is validated against the v1alpha2
// openAPIV3Schema (openapi_schema.h), and the checker is shown to catch what the
// API server would refuse or prune.
#include "scan/policy_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/parse.h"
#include "json/yaml.h"
#include "json/yaml_writer.h"
#include "openapi_schema.h"
#include "util/time.h"

namespace driftgate::scan {
namespace {

const std::string kCrds = std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/crds/";

const testing::CrdVersion& crd_for(std::string_view kind) {
  static const testing::CrdVersion namespaced =
      testing::load_crd(kCrds + "wgpolicyk8s.io_policyreports.yaml", "v1alpha2");
  static const testing::CrdVersion cluster =
      testing::load_crd(kCrds + "wgpolicyk8s.io_clusterpolicyreports.yaml", "v1alpha2");
  return kind == "PolicyReport" ? namespaced : cluster;
}

std::string join(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

Finding drift(std::string ns, std::string name, std::string path, std::optional<TimePoint> time,
              std::string subresource = "") {
  Finding f;
  f.api_version = "v1";
  f.kind = ns.empty() ? "Namespace" : "ConfigMap";
  f.namespace_ = std::move(ns);
  f.name = std::move(name);
  f.uid = "7a2e3c4d";
  f.owner = "Flux Kustomization flux-system/apps";
  f.path = std::move(path);
  f.manager = "kubectl-edit";
  f.operation = "Update";
  f.subresource = std::move(subresource);
  f.time = time;
  f.policy = "gitops-ownership";
  f.rule = "no-manual-edits";
  return f;
}

ObjectViolation violation(std::string ns, policy::Mode mode, std::string message) {
  ObjectViolation v;
  v.api_version = "apps/v1";
  v.kind = "Deployment";
  v.namespace_ = std::move(ns);
  v.name = "web";
  v.violation.policy = "workloads";
  v.violation.rule = "resources";
  v.violation.mode = mode;
  v.violation.message = std::move(message);
  v.violation.paths = {"spec.template.spec.containers[0].resources", "spec.replicas"};
  return v;
}

struct Fixture {
  std::vector<Finding> drift;
  std::vector<ObjectViolation> violations;
  std::vector<std::string> unreadable;
  ReportInput input(std::string only_namespace = "") const {
    return {.drift = &drift, .violations = &violations, .unreadable = &unreadable,
            .now = *parse_rfc3339("2026-12-07T03:00:00Z"), .only_namespace = std::move(only_namespace)};
  }
};

Fixture typical() {
  Fixture f;
  f.drift.push_back(drift("users", "users-api-env", "data.DB_HOST", parse_rfc3339("2026-05-03T02:14:00Z")));
  f.drift.push_back(drift("users", "users-api", "spec.replicas", std::nullopt, "scale"));
  f.drift.push_back(drift("", "users", "metadata.labels.team", parse_rfc3339("2026-05-01T00:00:00Z")));
  f.violations.push_back(violation("users", policy::Mode::Enforce, "no resources"));
  f.violations.push_back(violation("tools", policy::Mode::Warn, "a \"quoted\"\ttab and \x01 control\nline \xFF"));
  f.unreadable.push_back("secrets: 403: User \"ci-bot\" cannot list resource \"secrets\"");
  return f;
}

TEST(PolicyReport, EveryReportIsValidAgainstTheCrdSchema) {
  const Fixture f = typical();
  const auto reports = policy_reports(f.input());
  ASSERT_EQ(reports.size(), 3u);  // the cluster's, tools, users
  for (const Report& r : reports) {
    auto doc = json::parse(r.json);
    ASSERT_TRUE(doc) << doc.error() << "\n" << r.json;
    const auto errors = testing::validate_against(crd_for(r.kind), "v1alpha2", doc->root);
    EXPECT_TRUE(errors.empty()) << r.kind << " " << r.namespace_ << ":\n" << join(errors) << r.json;
  }
}

TEST(PolicyReport, OneReportPerNamespaceAndTheClusterReportForClusterScopedAndUnreadable) {
  const Fixture f = typical();
  const auto reports = policy_reports(f.input());
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].kind, "ClusterPolicyReport");
  EXPECT_EQ(reports[1].namespace_, "tools");
  EXPECT_EQ(reports[2].namespace_, "users");
  auto users = json::parse(reports[2].json);
  ASSERT_TRUE(users);
  const json::Value& u = users->root;
  EXPECT_EQ(u.find("metadata")->string_at("name"), "driftgate");
  EXPECT_EQ(u.find("metadata")->find("labels")->string_at("app.kubernetes.io/managed-by"), "driftgate");
  const auto results = u.find("results")->items();
  ASSERT_EQ(results.size(), 3u);
  // Drift first, as the summary orders it; every result says driftgate is its source.
  EXPECT_EQ(results[0].string_at("message"),
            "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST set by kubectl-edit at "
            "2026-05-03T02:14:00Z");
  EXPECT_EQ(results[0].string_at("category"), "drift");
  EXPECT_EQ(results[0].string_at("result"), "fail");
  EXPECT_EQ(results[0].string_at("source"), "driftgate");
  EXPECT_EQ(results[0].find("properties")->string_at("time"), "2026-05-03T02:14:00Z");
  EXPECT_EQ(results[0].find("properties")->string_at("manager"), "kubectl-edit");
  EXPECT_EQ(results[0].find("resources")->items()[0].string_at("uid"), "7a2e3c4d");
  EXPECT_EQ(results[0].find("timestamp")->find("seconds")->as_integer(), 1796612400);
  // kubectl scale recorded no time: no time property, the subresource named.
  EXPECT_EQ(results[1].find("properties")->find("time"), nullptr);
  EXPECT_EQ(results[1].find("properties")->string_at("subresource"), "scale");
  // Enforce is a fail, Warn a warn (tools); paths joined.
  EXPECT_EQ(results[2].string_at("result"), "fail");
  EXPECT_EQ(results[2].find("properties")->string_at("paths"),
            "spec.template.spec.containers[0].resources, spec.replicas");
  const json::Value* summary = u.find("summary");
  EXPECT_EQ(summary->find("fail")->as_integer(), 3);
  EXPECT_EQ(summary->find("warn")->as_integer(), 0);
  EXPECT_EQ(summary->find("pass")->as_integer(), 0);
  auto tools = json::parse(reports[1].json);
  EXPECT_EQ(tools->root.find("results")->items()[0].string_at("result"), "warn");
  EXPECT_EQ(tools->root.find("summary")->find("warn")->as_integer(), 1);
  // The cluster report: the unreadable resource is an error result, and the Namespace's drift.
  auto cluster = json::parse(reports[0].json);
  EXPECT_EQ(cluster->root.find("metadata")->find("namespace"), nullptr);
  EXPECT_EQ(cluster->root.find("results")->items()[0].string_at("result"), "error");
  EXPECT_EQ(cluster->root.find("summary")->find("error")->as_integer(), 1);
  EXPECT_EQ(cluster->root.find("summary")->find("fail")->as_integer(), 1);
}

TEST(PolicyReport, WithOneNamespaceEverythingGoesToItsReport) {
  const Fixture f = typical();
  const auto reports = policy_reports(f.input("users"));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].namespace_, "users");
  EXPECT_EQ(reports[0].results, 6u);
}

TEST(PolicyReport, AHugeNamespaceIsCappedAndTheSummaryStillCountsEverything) {
  Fixture f;
  for (int i = 0; i < 2500; ++i) f.drift.push_back(drift("big", "cm-" + std::to_string(i), "data.x", std::nullopt));
  const auto reports = policy_reports(f.input());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].results, kMaxResultsPerReport);
  EXPECT_EQ(reports[0].omitted, 2500 - kMaxResultsPerReport);
  auto doc = json::parse(reports[0].json);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->root.find("results")->size(), kMaxResultsPerReport);
  EXPECT_EQ(doc->root.find("summary")->find("fail")->as_integer(), 2500);
  EXPECT_EQ(doc->root.find("metadata")->find("annotations")->string_at("driftgate.dev/results-omitted"), "1500");
  EXPECT_TRUE(testing::validate_against(crd_for("PolicyReport"), "v1alpha2", doc->root).empty());
  EXPECT_LT(reports[0].json.size(), 1u << 20);  // well under etcd's 1.5 MiB per object
}

TEST(PolicyReport, NothingFoundIsNoReport) {
  Fixture f;
  EXPECT_TRUE(policy_reports(f.input()).empty());
}

TEST(PolicyReport, TheYamlReadsBackAsTheSameReport) {
  const Fixture f = typical();
  for (const Report& r : policy_reports(f.input())) {
    auto doc = json::parse(r.json);
    ASSERT_TRUE(doc);
    const std::string yaml = json::to_yaml(doc->root);
    auto back = json::parse_yaml(yaml);
    ASSERT_TRUE(back) << back.error() << "\n" << yaml;
    EXPECT_TRUE(back->root == doc->root) << yaml;
  }
}

// The checker is a real check: what the API server would refuse or prune is caught.
TEST(PolicyReport, TheSchemaCheckCatchesWhatTheServerWouldRefuse) {
  const auto errors_of = [](const std::string& text) {
    auto doc = json::parse(text);
    EXPECT_TRUE(doc) << text;
    return testing::validate_against(crd_for("PolicyReport"), "v1alpha2", doc->root);
  };
  const std::string head =
      R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"x","namespace":"n"},)";
  EXPECT_TRUE(errors_of(head + R"("results":[{"policy":"p","result":"fail"}],"summary":{"fail":1}})").empty());
  EXPECT_EQ(join(errors_of(head + R"("results":[{"policy":"p","result":"failed"}]})")),
            ".results[0].result: \"failed\" is not one of the enum values\n");
  EXPECT_EQ(join(errors_of(head + R"("results":[{"rule":"r"}]})")), ".results[0]: policy is required\n");
  EXPECT_EQ(join(errors_of(head + R"("summary":{"fail":"1"}})")), ".summary.fail: must be integer\n");
  EXPECT_EQ(join(errors_of(head + R"("results":[{"policy":"p","properties":{"n":1}}]})")),
            ".results[0].properties.n: must be string\n");
  EXPECT_EQ(join(errors_of(head + R"("source":"driftgate"})")), ".source: unknown field (the API server would prune it)\n");
  EXPECT_EQ(join(errors_of(head + R"("results":[{"policy":"p","timestamp":{"seconds":1}}]})")),
            ".results[0].timestamp: nanos is required\n");
  EXPECT_EQ(join(errors_of(head + R"("results":[{"policy":"p","timestamp":{"seconds":1,"nanos":3000000000}}]})")),
            ".results[0].timestamp.nanos: out of int32 range\n");
  EXPECT_EQ(join(errors_of(R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"x"}})")),
            "a Namespaced resource needs metadata.namespace\n");
}

}  // namespace
}  // namespace driftgate::scan
