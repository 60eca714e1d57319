// `driftgate scan --manifests --cluster` against the fake API server of
// tests/kube (real HTTPS on 127.0.0.1): an object that exists is judged as an
// UPDATE of the live object, so `immutable` and `monotonic` judge the change the
// pull request makes; one that does not exist is a CREATE.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>
#include <string>

#include "fake_apiserver.h"
#include "json/parse.h"
#include "json/yaml.h"
#include "openapi_schema.h"
#include "test_pki.h"
#include "util/base64.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using driftgate::kube::testing::FakeApiServer;
using driftgate::kube::testing::test_pki;

using Run = driftgate::cli_testing::CommandResult;

Run run(const std::string& args) {
  return driftgate::cli_testing::run_command(std::string(DRIFTGATE_BINARY) + " " + args + " 2>&1");
}

class Dir {
 public:
  Dir() : path_(fs::temp_directory_path() / ("driftgate-scan-cluster-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Dir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

const char* kPolicies = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: workloads}
spec:
  match: {kinds: [apps/Deployment]}
  rules:
    - {name: selector, immutable: [spec.selector]}
    - name: version
      monotonic: {path: 'metadata.labels["app.kubernetes.io/version"]', order: semver}
)";

const char* kManifests = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app.kubernetes.io/version: 1.8.0}
spec:
  selector: {matchLabels: {app: web-v2}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: new-worker, namespace: apps, labels: {app.kubernetes.io/version: 0.1.0}}
spec:
  selector: {matchLabels: {app: worker}}
)";

TEST(ScanCluster, AnObjectThatExistsIsJudgedAsAnUpdateOfTheLiveObject) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.add_object("/apis/apps/v1/deployments", R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"apps","resourceVersion":"7","labels":{"app.kubernetes.io/version":"1.9.0"}},
    "spec":{"selector":{"matchLabels":{"app":"web"}}},"status":{"replicas":2}})");
  Dir dir;
  dir.write("policies/p.yaml", kPolicies);
  const std::string manifests = dir.write("rendered.yaml", kManifests);
  const std::string kubeconfig = dir.write(
      "kubeconfig", "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " +
                        server.url() + "\n    certificate-authority-data: " +
                        driftgate::base64_encode(test_pki().ca.certificate) +
                        "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n"
                        "    token: ci-token\n");
  const std::string args = "scan --cluster --kubeconfig " + kubeconfig + " --manifests " + manifests + " --policies " +
                           fs::path(manifests).parent_path().string() + "/policies";
  auto r = run(args);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("1: document 1: Deployment apps/web [UPDATE of the live object]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("workloads/selector (Enforce): spec.selector"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("from \"1.9.0\" to \"1.8.0\""), std::string::npos) << r.output;
  // The new Deployment is a CREATE: nothing to compare, nothing found.
  EXPECT_EQ(r.output.find("new-worker"), std::string::npos) << r.output;
  bool got_web = false, got_worker = false;
  for (const auto& request : server.requests()) {
    got_web |= request.path == "/apis/apps/v1/namespaces/apps/deployments/web";
    got_worker |= request.path == "/apis/apps/v1/namespaces/apps/deployments/new-worker";
  }
  EXPECT_TRUE(got_web && got_worker);

  // JSON lines say which operation was judged.
  auto json = run(args + " --output json");
  EXPECT_NE(json.output.find("\"name\":\"web\",\"operation\":\"UPDATE\""), std::string::npos) << json.output;

  // Without --cluster the same manifests are CREATEs and pass.
  EXPECT_EQ(run("scan --manifests " + manifests + " --policies " + fs::path(manifests).parent_path().string() + "/policies").exit_code, 0);
}

TEST(ScanCluster, AClusterThatCannotBeReadExits4NamingWhy) {
  FakeApiServer server;
  server.require_token("right");
  Dir dir;
  dir.write("policies/p.yaml", kPolicies);
  const std::string manifests = dir.write("rendered.yaml", kManifests);
  const std::string kubeconfig = dir.write(
      "kubeconfig", "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " +
                        server.url() + "\n    certificate-authority-data: " +
                        driftgate::base64_encode(test_pki().ca.certificate) +
                        "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n"
                        "    token: wrong\n");
  auto r = run("scan --cluster --kubeconfig " + kubeconfig + " --manifests " + manifests + " --policies " +
               fs::path(manifests).parent_path().string() + "/policies");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("driftgate scan: --cluster: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("401"), std::string::npos) << r.output;
}

// ---- driftgate scan (no --manifests): forensics and background evaluation of
// what is stored, listed page by page.

const char* kGuard = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: gitops-ownership}
spec:
  match:
    operations: [CREATE, UPDATE, DELETE]
    kinds: [ConfigMap, Secret, apps/Deployment]
    objectSelector:
      anyOf:
        - labels: {kustomize.toolkit.fluxcd.io/name: "*"}
  rules:
    - name: no-manual-edits
      frozen:
        ignore:
          - metadata.annotations["deployment.kubernetes.io/revision"]
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: config-hygiene}
spec:
  mode: Warn
  match: {kinds: [ConfigMap]}
  rules:
    - {name: no-debug, forbid: [data.DEBUG]}
)";

// users/users-api-env: Flux applied LOG_LEVEL; `kubectl edit` then set DB_HOST
// (kubernetes-facts.md: the Update moves the field to kubectl-edit).
const char* kEditedConfigMap = R"({"metadata":{"name":"users-api-env","namespace":"users","uid":"7a2e3c4d-0000-4000-8000-000000000001","resourceVersion":"1001","creationTimestamp":"2026-05-01T10:00:00Z","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},"managedFields":[{"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:LOG_LEVEL":{}},"f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}},{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}}]},"data":{"DB_HOST":"10.0.0.12","LOG_LEVEL":"info"}})";

std::string kubeconfig_for(const Dir& dir, const FakeApiServer& server) {
  return dir.write("kubeconfig", "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " +
                                     server.url() + "\n    certificate-authority-data: " +
                                     driftgate::base64_encode(test_pki().ca.certificate) +
                                     "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n"
                                     "    token: ci-token\n");
}

TEST(ScanStored, TheClusterShowsWhoChangedWhichFieldWhenAndListsWhatItCouldNotRead) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.add_object("/api/v1/configmaps", kEditedConfigMap);
  server.add_deployments(1, "users");
  server.add_object("/api/v1/secrets", R"({"metadata":{"name":"db","namespace":"users","uid":"s-1","resourceVersion":"3"},"data":{"password":"aHVudGVyMg=="}})");
  server.forbid("/api/v1/secrets", "secrets", "ci-bot");
  Dir dir;
  const std::string policies = fs::path(dir.write("policies/p.yaml", kGuard)).parent_path().string();
  const std::string base = "scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies;
  auto r = run(base + " --chunk-size 1 --qps 50 --burst 100 --progress");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST set by "
                          "kubectl-edit at 2026-05-03T02:14:00Z"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Deployment users/users-api-0 (Flux Kustomization flux-system/apps): spec.replicas set by "
                          "kubectl through /scale, no time recorded"),
            std::string::npos)
      << r.output;
  // Flux's own fields are Git's: nothing about LOG_LEVEL, the labels or the image.
  EXPECT_EQ(r.output.find("LOG_LEVEL"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("image"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("kustomize-controller"), std::string::npos) << r.output;
  // The forbidden resource is named with the server's message; the rest was scanned.
  EXPECT_NE(r.output.find("could not read: secrets: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cannot list resource \"secrets\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("driftgate scan: resources 3/3, objects 2, findings 2"), std::string::npos) << r.output;
  // Pages of one object each: --chunk-size is the LIST limit.
  bool paged = false;
  for (const auto& request : server.requests())
    paged |= request.path == "/api/v1/configmaps" && request.query.count("limit") && request.query.at("limit") == "1";
  EXPECT_TRUE(paged);

  auto json = run(base + " --output json");
  EXPECT_EQ(json.exit_code, 4) << json.output;
  EXPECT_NE(json.output.find(R"({"type":"drift","apiVersion":"v1","kind":"ConfigMap","namespace":"users","name":"users-api-env","uid":"7a2e3c4d-0000-4000-8000-000000000001","owner":"Flux Kustomization flux-system/apps","path":"data.DB_HOST","pathResolved":true,"manager":"kubectl-edit","operation":"Update","subresource":"","time":"2026-05-03T02:14:00Z","policy":"gitops-ownership","rule":"no-manual-edits",)"),
            std::string::npos)
      << json.output;
  EXPECT_NE(json.output.find(R"("subresource":"scale","time":null)"), std::string::npos) << json.output;
  EXPECT_NE(json.output.find(R"({"type":"unreadable","message":"secrets: )"), std::string::npos) << json.output;

  // One namespace: only its LISTs (the 403 was for the cluster-wide list of secrets),
  // and nothing of users is found there.
  server.clear_requests();
  auto apps = run(base + " --namespace apps");
  EXPECT_EQ(apps.exit_code, 0) << apps.output;
  EXPECT_EQ(apps.output.find("users-api-env"), std::string::npos) << apps.output;
  for (const auto& request : server.requests())
    if (request.path.find("configmaps") != std::string::npos) {
      EXPECT_EQ(request.path, "/api/v1/namespaces/apps/configmaps");
    }
}

TEST(ScanStored, AnExpiredContinueTokenRestartsTheResourceAndNothingIsReportedTwice) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.add_configmaps(3, "apps");
  server.expire_continue_tokens(1);
  Dir dir;
  std::string guard = kGuard;
  guard.replace(guard.find("[ConfigMap, Secret, apps/Deployment]"), 36, "[ConfigMap]");
  const std::string policies = fs::path(dir.write("policies/p.yaml", guard)).parent_path().string();
  auto r = run("scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies + " --chunk-size 1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("configmaps: "), std::string::npos) << r.output;  // the restart is said on stderr
  EXPECT_NE(r.output.find("3 objects in 1 resources: 3 drifted fields"), std::string::npos) << r.output;
  std::size_t lines = 0;
  for (auto at = r.output.find("data.DB_HOST set by kubectl-edit"); at != std::string::npos;
       at = r.output.find("data.DB_HOST set by kubectl-edit", at + 1))
    ++lines;
  EXPECT_EQ(lines, 3u) << r.output;
}

TEST(ScanStored, BackgroundEvaluationJudgesStateNotTransitionsAndModesAreReported) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.add_object("/api/v1/configmaps", R"({"metadata":{"name":"debug","namespace":"tools","uid":"u-1","resourceVersion":"9"},"data":{"DEBUG":"1"}})");
  // Flux-managed, nobody else wrote a field: frozen does not apply to what is stored.
  server.add_object("/api/v1/configmaps", R"({"metadata":{"name":"clean","namespace":"tools","uid":"u-2","resourceVersion":"10","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},"managedFields":[{"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:A":{}}}}]},"data":{"A":"1"}})");
  Dir dir;
  // Only ConfigMaps: the fake serves no empty collections (secrets, deployments).
  std::string guard = kGuard;
  guard.replace(guard.find("[ConfigMap, Secret, apps/Deployment]"), 36, "[ConfigMap]");
  const std::string policies = fs::path(dir.write("policies/p.yaml", guard)).parent_path().string();
  auto r = run("scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("ConfigMap tools/debug: config-hygiene/no-debug (Warn)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("clean"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("gitops-ownership/no-manual-edits ("), std::string::npos) << r.output;

  auto nothing = run("scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies + " --namespace elsewhere");
  auto bad = run("scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies + " --qps fast");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--qps must be a number of requests per second (0: no limit), got \"fast\""), std::string::npos)
      << bad.output;
  EXPECT_EQ(nothing.exit_code, 0) << nothing.output;
}

// ---- PolicyReports: --output reports and --write-reports -------------------------

const std::string kReports = "/apis/wgpolicyk8s.io/v1alpha2/policyreports";
const std::string kClusterReports = "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports";

std::vector<std::string> schema_errors(const std::string& report) {
  auto doc = driftgate::json::parse(report);
  if (!doc) return {doc.error()};
  const std::string kind(doc->root.string_at("kind"));
  const std::string crd = std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/crds/wgpolicyk8s.io_" +
                          (kind == "PolicyReport" ? "policyreports" : "clusterpolicyreports") + ".yaml";
  return driftgate::testing::validate_against(driftgate::testing::load_crd(crd, "v1alpha2"), "v1alpha2", doc->root);
}

// namespace/name -> the stored report.
std::map<std::string, std::string> stored_reports(const FakeApiServer& server, const std::string& collection) {
  std::map<std::string, std::string> out;
  for (const std::string& text : server.objects(collection)) {
    auto doc = driftgate::json::parse(text);
    const auto* metadata = doc->root.find("metadata");
    out[std::string(metadata->string_at("namespace")) + "/" + std::string(metadata->string_at("name"))] = text;
  }
  return out;
}

std::size_t count_requests(const FakeApiServer& server, const std::string& method, const std::string& path) {
  std::size_t n = 0;
  for (const auto& r : server.requests()) n += r.method == method && r.path == path;
  return n;
}

const char* kDebugConfigMap =
    R"({"metadata":{"name":"debug","namespace":"tools","uid":"u-1","resourceVersion":"9"},"data":{"DEBUG":"1"}})";

TEST(ScanReports, WriteReportsCreatesReplacesAndRemovesStaleReportsOfDriftgateOnly) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.serve_policy_reports();
  server.add_object("/api/v1/configmaps", kEditedConfigMap);
  server.add_object("/api/v1/configmaps", kDebugConfigMap);
  // A report driftgate wrote for a namespace that has no findings any more, and
  // one of another tool: the first goes, the second stays.
  server.add_object(kReports, R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"driftgate","namespace":"old","resourceVersion":"5","labels":{"app.kubernetes.io/managed-by":"driftgate"}},"results":[]})");
  server.add_object(kReports, R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"polr-ns-users","namespace":"users","resourceVersion":"6","labels":{"app.kubernetes.io/managed-by":"kyverno"}},"results":[]})");
  Dir dir;
  std::string guard = kGuard;
  guard.replace(guard.find("[ConfigMap, Secret, apps/Deployment]"), 36, "[ConfigMap]");
  const std::string policies = fs::path(dir.write("policies/p.yaml", guard)).parent_path().string();
  const std::string base = "scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies;

  auto first = run(base + " --write-reports");
  EXPECT_EQ(first.exit_code, 3) << first.output;  // findings: the reports are written, the exit says found
  EXPECT_NE(first.output.find("driftgate scan: policyreports: 2 created, 0 updated, 1 deleted"), std::string::npos)
      << first.output;
  auto reports = stored_reports(server, kReports);
  ASSERT_EQ(reports.size(), 3u) << first.output;
  EXPECT_TRUE(reports.count("users/driftgate") && reports.count("tools/driftgate") && reports.count("users/polr-ns-users"));
  for (const auto& [at, text] : reports) EXPECT_TRUE(schema_errors(text).empty()) << at << "\n" << text;
  EXPECT_NE(reports["users/driftgate"].find(R"("message":"ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST set by kubectl-edit at 2026-05-03T02:14:00Z")"), std::string::npos)
      << reports["users/driftgate"];
  EXPECT_NE(reports["users/driftgate"].find(R"("source":"driftgate")"), std::string::npos);
  EXPECT_NE(reports["tools/driftgate"].find(R"("result":"warn")"), std::string::npos) << reports["tools/driftgate"];
  EXPECT_TRUE(server.objects(kClusterReports).empty());  // nothing cluster-scoped, everything read

  // Again, while another writer changes the users report just before each PUT:
  // the 409 Conflict makes driftgate read it again and replace it.
  server.clear_requests();
  server.change_before_next_puts(1);
  auto second = run(base + " --write-reports");
  EXPECT_EQ(second.exit_code, 3) << second.output;
  EXPECT_NE(second.output.find("policyreports: 0 created, 2 updated, 0 deleted"), std::string::npos) << second.output;
  const std::size_t puts = count_requests(server, "PUT", "/apis/wgpolicyk8s.io/v1alpha2/namespaces/tools/policyreports/driftgate") +
                           count_requests(server, "PUT", "/apis/wgpolicyk8s.io/v1alpha2/namespaces/users/policyreports/driftgate");
  EXPECT_EQ(puts, 3u);  // one of them twice
  EXPECT_EQ(count_requests(server, "POST", kReports), 0u);

  // A resource that cannot be read: nothing stale is deleted (tools' report stays
  // although its ConfigMap is gone), and the ClusterPolicyReport names what failed.
  server.clear_objects("/api/v1/configmaps");
  server.add_object("/api/v1/configmaps", kEditedConfigMap);
  std::string with_secrets = kGuard;
  with_secrets.replace(with_secrets.find("[ConfigMap, Secret, apps/Deployment]"), 36, "[ConfigMap, Secret]");
  dir.write("policies/p.yaml", with_secrets);
  server.forbid("/api/v1/secrets", "secrets", "system:serviceaccount:driftgate:driftgate-scan");
  auto partial = run(base + " --write-reports");
  EXPECT_EQ(partial.exit_code, 4) << partial.output;
  EXPECT_TRUE(stored_reports(server, kReports).count("tools/driftgate")) << partial.output;
  auto cluster = server.objects(kClusterReports);
  ASSERT_EQ(cluster.size(), 1u) << partial.output;
  EXPECT_NE(cluster[0].find(R"("result":"error")"), std::string::npos) << cluster[0];
  EXPECT_NE(cluster[0].find("cannot list resource"), std::string::npos) << cluster[0];
  EXPECT_TRUE(schema_errors(cluster[0]).empty()) << cluster[0];

  // Everything read again: tools' report and the cluster report are stale now.
  dir.write("policies/p.yaml", guard);
  auto clean = run(base + " --write-reports");
  EXPECT_EQ(clean.exit_code, 3) << clean.output;
  reports = stored_reports(server, kReports);
  EXPECT_FALSE(reports.count("tools/driftgate")) << clean.output;
  EXPECT_TRUE(reports.count("users/driftgate") && reports.count("users/polr-ns-users"));
  EXPECT_TRUE(server.objects(kClusterReports).empty()) << clean.output;
}

TEST(ScanReports, OutputReportsPrintsValidYamlAndWritesNothing) {
  FakeApiServer server;
  server.require_token("ci-token");
  server.add_object("/api/v1/configmaps", kEditedConfigMap);
  server.add_object("/api/v1/configmaps", kDebugConfigMap);
  Dir dir;
  std::string guard = kGuard;
  guard.replace(guard.find("[ConfigMap, Secret, apps/Deployment]"), 36, "[ConfigMap]");
  const std::string policies = fs::path(dir.write("policies/p.yaml", guard)).parent_path().string();
  const std::string base = "scan --kubeconfig " + kubeconfig_for(dir, server) + " --policies " + policies;
  auto r = run(base + " --output reports");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  std::size_t documents = 0;
  for (std::size_t at = r.output.find("---\n"); at != std::string::npos;) {
    const std::size_t next = r.output.find("---\n", at + 4);
    auto doc = driftgate::json::parse_yaml(r.output.substr(at + 4, next == std::string::npos ? next : next - at - 4));
    ASSERT_TRUE(doc) << doc.error() << "\n" << r.output;
    const auto errors = driftgate::testing::validate_against(
        driftgate::testing::load_crd(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/crds/wgpolicyk8s.io_policyreports.yaml", "v1alpha2"),
        "v1alpha2", doc->root);
    EXPECT_TRUE(errors.empty()) << r.output;
    ++documents;
    at = next;
  }
  EXPECT_EQ(documents, 2u) << r.output;
  EXPECT_NE(r.output.find("kind: PolicyReport\nmetadata:\n  name: driftgate\n  namespace: users\n"), std::string::npos)
      << r.output;
  for (const auto& request : server.requests()) EXPECT_EQ(request.method, "GET") << request.target;

  // --fail-on none: findings exit 0 (the CronJob's choice: the reports carry them).
  auto none = run(base + " --fail-on none");
  EXPECT_EQ(none.exit_code, 0) << none.output;
  EXPECT_NE(none.output.find("data.DB_HOST set by kubectl-edit"), std::string::npos) << none.output;

  // The CRDs are not installed: --write-reports fails (4) and says what is missing.
  auto missing = run(base + " --write-reports");
  EXPECT_EQ(missing.exit_code, 4) << missing.output;
  EXPECT_NE(missing.output.find("--write-reports: clusterpolicyreports.wgpolicyk8s.io: 404"), std::string::npos)
      << missing.output;
  EXPECT_NE(missing.output.find("(is clusterpolicyreports's CustomResourceDefinition installed?)"), std::string::npos)
      << missing.output;

  auto from = run("scan --policies " + policies + " --from " + policies + "/p.yaml --write-reports");
  EXPECT_EQ(from.exit_code, 2) << from.output;
  EXPECT_NE(from.output.find("--write-reports writes to the cluster it scans"), std::string::npos) << from.output;
}

}  // namespace
