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

}  // namespace
