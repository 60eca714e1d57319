// driftgate scan's scale figures (docs/scan.md, "Scale"): a fake API server on
// 127.0.0.1 (real TLS, LIST pagination as the real one: limit/continue) holds N
// ConfigMaps shaped like a real cluster's (about 2 KB each: Flux-managed, a
// config file in data, managedFields of kustomize-controller's Apply; every
// 100th edited with kubectl), the scan runs as its own process against it, and
// its own CPU (user+sys) and peak RSS are what GNU time (/usr/bin/time) reports
// for it, so the fake server's work is not counted. Not wait4's rusage of a child
// forked from here: a forked child's ru_maxrss keeps the high-water mark of the
// copy of this process (the fake server's 100,000 objects) across its exec. A
// measurement, not a test (not in ctest):
//
//   build/tests/kube/scan_cluster_bench [--objects=10000] [--chunk-size=500] [--policies=DIR] [--wrap='CMD ARGS']
//
// --wrap: run the scan under a profiler, e.g. --wrap='perf record -g -o perf.data' or
// --wrap='heaptrack -o scan' (its figures are then the profiler's, not the scan's).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fake_apiserver.h"
#include "test_pki.h"
#include "util/base64.h"

namespace {

using driftgate::kube::testing::FakeApiServer;
using driftgate::kube::testing::test_pki;

// One ConfigMap as `kubectl get -o json --show-managed-fields` shows it: 2 KB.
std::string configmap(int i) {
  const std::string ns = "team-" + std::to_string(i % 50);
  const std::string name = "app-config-" + std::to_string(i);
  const bool edited = i % 100 == 0;
  std::string config;
  for (int line = 0; line < 22; ++line)
    config += "  setting_" + std::to_string(line) + ": value-" + std::to_string(i * 31 + line) + "-abcdefghijklmnop\\n";
  std::string o = R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                  R"(","uid":"7a2e3c4d-0000-4000-8000-)" + std::to_string(100000000000 + i) +
                  R"(","resourceVersion":")" + std::to_string(100000 + i) +
                  R"(","creationTimestamp":"2026-05-01T10:00:00Z","labels":{"app.kubernetes.io/name":"app-)" +
                  std::to_string(i) +
                  R"(","app.kubernetes.io/part-of":"shop","kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},)"
                  R"("annotations":{"kustomize.toolkit.fluxcd.io/checksum":"a3c9f0e1b2d4c6e8f0a1b3c5d7e9f1a3c5e7f9b1"},"managedFields":[)"
                  R"({"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:LOG_LEVEL":{},"f:POOL_SIZE":{},"f:config.yaml":{})" +
                  std::string(edited ? "" : R"(,"f:DB_HOST":{})") +
                  R"(},"f:metadata":{"f:annotations":{"f:kustomize.toolkit.fluxcd.io/checksum":{}},"f:labels":{"f:app.kubernetes.io/name":{},"f:app.kubernetes.io/part-of":{},"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}})";
  if (edited)
    o += R"(,{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}})";
  o += R"(]},"data":{"DB_HOST":"db.team.svc.cluster.local","LOG_LEVEL":"info","POOL_SIZE":"20","config.yaml":"server:\n)" +
       config + R"("}})";
  return o;
}

std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name.c_str(), name.size()) == 0 && argv[i][name.size()] == '=')
      return argv[i] + name.size() + 1;
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int objects = std::stoi(flag(argc, argv, "--objects", "10000"));
  const std::string chunk = flag(argc, argv, "--chunk-size", "500");
  const std::string policies = flag(argc, argv, "--policies", DRIFTGATE_SOURCE_DIR "/policies");
  const std::string wrap = flag(argc, argv, "--wrap", "");

  FakeApiServer server;
  server.require_token("bench");
  // Every collection the fake's discovery names (the default set matches every kind).
  for (const char* c : {"/api/v1/configmaps", "/api/v1/namespaces", "/api/v1/pods", "/api/v1/secrets",
                        "/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets",
                        "/apis/autoscaling/v2/horizontalpodautoscalers", "/apis/metrics.k8s.io/v1beta1/nodes",
                        "/apis/metrics.k8s.io/v1beta1/pods"})
    server.add_collection(c);
  std::size_t bytes = 0;
  for (int i = 0; i < objects; ++i) {
    const std::string o = configmap(i);
    bytes += o.size();
    server.add_object("/api/v1/configmaps", o);
  }
  const std::string dir = "/tmp/driftgate-scan-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string kubeconfig = dir + "/kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n"
                               "    server: " << server.url() << "\n    certificate-authority-data: "
                            << driftgate::base64_encode(test_pki().ca.certificate)
                            << "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n"
                               "  user:\n    token: bench\n";

  const std::string times = dir + "/time";
  std::vector<std::string> args = {"/usr/bin/time", "-f", "%U %S %M", "-o", times};
  for (std::size_t at = 0; at < wrap.size();) {
    const std::size_t space = std::min(wrap.find(' ', at), wrap.size());
    if (space > at) args.push_back(wrap.substr(at, space - at));
    at = space + 1;
  }
  args.insert(args.end(), {DRIFTGATE_BINARY, "scan", "--kubeconfig", kubeconfig, "--policies", policies,
                           "--chunk-size", chunk, "--qps", "0", "--output", "json"});
  std::vector<char*> argv_child;
  for (auto& a : args) argv_child.push_back(a.data());
  argv_child.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child == 0) {
    // Findings on stdout go nowhere; stderr (what failed) stays.
    std::FILE* null = std::fopen("/dev/null", "w");
    dup2(fileno(null), STDOUT_FILENO);
    execvp(argv_child[0], argv_child.data());
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double user = 0, sys = 0, max_kib = 0;
  {
    // The last line: GNU time writes "Command exited with non-zero status 3" before it.
    std::ifstream in(times);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    std::sscanf(last.c_str(), "%lf %lf %lf", &user, &sys, &max_kib);
  }
  std::filesystem::remove_all(dir);
  const double cpu = user + sys;
  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::printf("objects %d (ConfigMaps, %.0f bytes each on average; 1%% edited), --chunk-size %s\n", objects,
              static_cast<double>(bytes) / objects, chunk.c_str());
  std::printf("scan exit %d, wall %.2f s, %.0f objects/s\n", exit_code, wall, objects / wall);
  std::printf("scan CPU: user %.2f s + sys %.2f s = %.2f s, %.1f us per object\n", user, sys, cpu, cpu / objects * 1e6);
  std::printf("scan peak RSS: %.1f MiB%s\n", max_kib / 1024.0, wrap.empty() ? "" : " (of the wrapper, not the scan alone)");
  return exit_code == 3 || exit_code == 0 ? 0 : 1;
}
