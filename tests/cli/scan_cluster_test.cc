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
#include <string>

#include "fake_apiserver.h"
#include "test_pki.h"
#include "util/base64.h"

namespace {

namespace fs = std::filesystem;
using driftgate::kube::testing::FakeApiServer;
using driftgate::kube::testing::test_pki;

struct Run {
  int exit_code = -1;
  std::string output;
};

Run run(const std::string& args) {
  Run r;
  const std::string command = std::string(DRIFTGATE_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
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

}  // namespace
