// The scan CronJob component (deploy/components/scan-cronjob) runs in tests: it is
// rendered with `kubectl kustomize` into an overlay, the container's exact args are
// taken from the rendered CronJob and run against the fake API server (real HTTPS),
// with the driftgate-policies ConfigMap's files where the Pod mounts them. The
// reports must be written, the exit status must be the Job's intended outcome, and
// every request the scan made must be allowed by the rendered ClusterRole.
//
// The one difference from a Pod: in a Pod the client takes the in-cluster service
// account (its token path is fixed), here $KUBECONFIG points at the fake server;
// kubectl's order (kube.md) puts $KUBECONFIG first, so the command is unchanged.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fake_apiserver.h"
#include "json/parse.h"
#include "openapi_schema.h"
#include "test_pki.h"
#include "util/base64.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using driftgate::kube::testing::FakeApiServer;
using driftgate::kube::testing::test_pki;

using Ran = driftgate::cli_testing::CommandResult;

Ran shell(const std::string& command) { return driftgate::cli_testing::run_command(command + " 2>&1"); }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Rendered {
  YAML::Node cronjob, role;
  std::map<std::string, YAML::Node> configmaps;
};

// deploy/overlays/cert-manager with the component added, as docs/scan.md says.
Rendered render(const fs::path& work) {
  const fs::path source(DRIFTGATE_SOURCE_DIR);
  fs::copy(source / "deploy", work / "deploy", fs::copy_options::recursive);
  fs::copy(source / "policies", work / "policies", fs::copy_options::recursive);
  std::ofstream(work / "deploy/overlays/cert-manager/kustomization.yaml", std::ios::app)
      << "\ncomponents:\n  - ../../components/scan-cronjob\n";
  const Ran out = shell("kubectl kustomize " + quote((work / "deploy/overlays/cert-manager").string()) + " 2>/dev/null");
  Rendered r;
  if (out.exit_code != 0) return r;
  for (const YAML::Node& doc : YAML::LoadAll(out.output)) {
    const std::string kind = doc["kind"].as<std::string>(), name = doc["metadata"]["name"].as<std::string>();
    if (kind == "CronJob" && name == "driftgate-scan") r.cronjob = doc;
    if (kind == "ClusterRole" && name == "driftgate-scan") r.role = doc;
    if (kind == "ConfigMap") r.configmaps[name] = doc;
  }
  return r;
}

// The RBAC verb, API group and resource of a request, as the API server's
// authorizer sees it; empty resource for discovery (non-resource URLs).
struct Attributes {
  std::string verb, group, resource;
};
Attributes attributes(const driftgate::kube::testing::RecordedRequest& r) {
  std::vector<std::string> segments;
  for (std::size_t at = 1; at <= r.path.size();) {
    const std::size_t slash = std::min(r.path.find('/', at), r.path.size());
    segments.push_back(r.path.substr(at, slash - at));
    at = slash + 1;
  }
  Attributes a;
  std::size_t rest = 0;
  if (!segments.empty() && segments[0] == "api") rest = 2;
  else if (!segments.empty() && segments[0] == "apis") {
    if (segments.size() > 1) a.group = segments[1];
    rest = 3;
  }
  if (segments.size() <= rest) return a;  // /api, /api/v1, /apis, /apis/g/v: discovery
  if (segments[rest] == "namespaces" && segments.size() >= rest + 3) rest += 2;
  a.resource = segments[rest];
  const bool named = segments.size() > rest + 1;
  if (r.method == "GET") a.verb = named ? "get" : (r.query.count("watch") ? "watch" : "list");
  else if (r.method == "POST") a.verb = "create";
  else if (r.method == "PUT") a.verb = "update";
  else if (r.method == "DELETE") a.verb = "delete";
  else a.verb = r.method;
  return a;
}

bool allowed(const YAML::Node& role, const Attributes& a) {
  const auto has = [](const YAML::Node& list, const std::string& v) {
    for (const auto& item : list)
      if (item.as<std::string>() == v || item.as<std::string>() == "*") return true;
    return false;
  };
  for (const auto& rule : role["rules"])
    if (has(rule["apiGroups"], a.group) && has(rule["resources"], a.resource) && has(rule["verbs"], a.verb)) return true;
  return false;
}

const char* kEditedConfigMap = R"({"metadata":{"name":"users-api-env","namespace":"users","uid":"7a2e3c4d-0000-4000-8000-000000000001","resourceVersion":"1001","creationTimestamp":"2026-05-01T10:00:00Z","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},"managedFields":[{"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:LOG_LEVEL":{}},"f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}},{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}}]},"data":{"DB_HOST":"10.0.0.12","LOG_LEVEL":"info"}})";

TEST(ScanCronJob, TheRenderedCommandScansTheClusterAndWritesReportsWithinItsRole) {
  if (shell("kubectl version --client").exit_code != 0) GTEST_SKIP() << "kubectl not found (scripts/install-deps.sh)";
  const fs::path work = fs::temp_directory_path() / ("driftgate-scan-cronjob-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{work};

  const Rendered rendered = render(work);
  ASSERT_TRUE(rendered.cronjob && rendered.role) << "kubectl kustomize of the component failed";
  const YAML::Node pod = rendered.cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  const YAML::Node container = pod["containers"][0];
  // No command: the image's ENTRYPOINT, driftgate, runs with these args.
  ASSERT_FALSE(container["command"]);
  // The mounted ConfigMaps, as the kubelet lays them out (one file per key).
  std::map<std::string, std::string> mounts;  // mountPath -> local directory
  for (const auto& mount : container["volumeMounts"]) {
    for (const auto& volume : pod["volumes"]) {
      if (volume["name"].as<std::string>() != mount["name"].as<std::string>() || !volume["configMap"]) continue;
      const std::string name = volume["configMap"]["name"].as<std::string>();
      ASSERT_TRUE(rendered.configmaps.count(name)) << name;
      const fs::path dir = work / ("mount-" + name);
      fs::create_directories(dir);
      for (const auto& item : rendered.configmaps.at(name)["data"])
        std::ofstream(dir / item.first.as<std::string>()) << item.second.as<std::string>();
      mounts[mount["mountPath"].as<std::string>()] = dir.string();
    }
  }
  std::string args;
  for (const auto& a : container["args"]) {
    const std::string arg = a.as<std::string>();
    args += " " + quote(mounts.count(arg) ? mounts.at(arg) : arg);
  }

  FakeApiServer server;
  server.require_token("scan-token");
  server.serve_policy_reports();
  // Every collection the fake's discovery names is served (empty unless filled).
  for (const char* c : {"/api/v1/configmaps", "/api/v1/namespaces", "/api/v1/pods", "/api/v1/secrets",
                        "/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets",
                        "/apis/autoscaling/v2/horizontalpodautoscalers", "/apis/metrics.k8s.io/v1beta1/nodes",
                        "/apis/metrics.k8s.io/v1beta1/pods"})
    server.add_collection(c);
  server.add_object("/api/v1/configmaps", kEditedConfigMap);
  const fs::path kubeconfig = work / "kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n"
                               "    server: " << server.url() << "\n    certificate-authority-data: "
                            << driftgate::base64_encode(test_pki().ca.certificate)
                            << "\ncontexts:\n- name: c\n  context: {cluster: c, user: scan}\nusers:\n- name: scan\n"
                               "  user:\n    token: scan-token\n";
  const std::string command = "env KUBECONFIG=" + quote(kubeconfig.string()) + " HOME=" + quote(work.string()) + " " +
                              std::string(DRIFTGATE_BINARY) + args;

  // Drift found: the Job succeeds (--fail-on none) and the reports carry it.
  const Ran ok = shell(command);
  EXPECT_EQ(ok.exit_code, 0) << command << "\n" << ok.output;
  EXPECT_NE(ok.output.find("data.DB_HOST"), std::string::npos) << ok.output;
  const auto reports = server.objects("/apis/wgpolicyk8s.io/v1alpha2/policyreports");
  ASSERT_EQ(reports.size(), 1u) << ok.output;
  EXPECT_NE(reports[0].find(R"("namespace":"users")"), std::string::npos) << reports[0];
  EXPECT_NE(reports[0].find("data.DB_HOST set by kubectl-edit at 2026-05-03T02:14:00Z"), std::string::npos) << reports[0];
  auto doc = driftgate::json::parse(reports[0]);
  ASSERT_TRUE(doc);
  EXPECT_TRUE(driftgate::testing::validate_against(
                  driftgate::testing::load_crd(std::string(DRIFTGATE_SOURCE_DIR) +
                                                   "/tests/fixtures/crds/wgpolicyk8s.io_policyreports.yaml",
                                               "v1alpha2"),
                  "v1alpha2", doc->root)
                  .empty());

  // Every request was one the component's ClusterRole allows.
  std::set<std::string> seen;
  for (const auto& r : server.requests()) {
    const Attributes a = attributes(r);
    if (a.resource.empty()) continue;  // discovery: system:discovery allows it to everyone
    seen.insert(a.verb + " " + a.resource);
    EXPECT_TRUE(allowed(rendered.role, a)) << r.method << " " << r.target << " (" << a.verb << " " << a.resource << "."
                                           << a.group << ") is not in ClusterRole driftgate-scan";
  }
  EXPECT_TRUE(seen.count("list secrets") && seen.count("create policyreports")) << seen.size();

  // A resource it may not list: the Job fails (exit 4).
  server.forbid("/api/v1/secrets", "secrets", "system:serviceaccount:driftgate-system:driftgate-scan");
  const Ran failed = shell(command);
  EXPECT_EQ(failed.exit_code, 4) << failed.output;
  EXPECT_NE(failed.output.find("cannot list resource \\\"secrets\\\""), std::string::npos) << failed.output;
}

}  // namespace
