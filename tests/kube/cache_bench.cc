// The metadata cache's memory and lookup cost (docs/kube.md, "The metadata
// cache"): a fake API server holds N Deployments shaped like a real cluster's
// (Flux- and Helm-managed, a quarter applied by kubectl with its
// last-applied-configuration annotation, managedFields), the cache LISTs them
// (PartialObjectMetadataList) and syncs; the program prints the RSS the cache
// added, then runs the lookup benchmarks.
//
//   build-watch/tests/kube/kube_cache_bench [--objects=50000] [--applied=4] [--keep-last-applied] [benchmark flags]
// --applied=N: every Nth Deployment carries kubectl's last-applied-configuration
// (about 1.4 KB; 0: none); --keep-last-applied: the cache keeps that annotation.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "fake_apiserver.h"
#include "kube/metadata_cache.h"
#include "kube_test_support.h"
#include "test_pki.h"
#include "util/base64.h"

namespace {

using namespace driftgate;
using namespace driftgate::kube;

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int g_objects = 50000;
int g_applied = 4;  // every g_applied-th object was applied by kubectl (0: none)
bool g_keep_applied = false;

std::string deployment(int i) {
  const std::string name = "svc-" + std::to_string(i);
  const std::string ns = "team-" + std::to_string(i % 200);
  std::string annotations = R"("deployment.kubernetes.io/revision":")" + std::to_string(1 + i % 40) +
                            R"(","meta.helm.sh/release-name":")" + name + R"(","meta.helm.sh/release-namespace":")" + ns +
                            "\"";
  if (g_applied > 0 && i % g_applied == 0) {
    // kubectl apply's copy of the manifest: about 1.5 KB on a typical Deployment.
    std::string applied = R"({\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\")" +
                          name + R"(\"},\"name\":\")" + name + R"(\",\"namespace\":\")" + ns +
                          R"(\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\")" + name +
                          R"(\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\")" + name +
                          R"(\"}},\"spec\":{\"containers\":[{\"name\":\")" + name +
                          R"(\",\"image\":\"registry.example.com/)" + name +
                          R"(:1.4.2\",\"ports\":[{\"containerPort\":8080}],\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}},\"env\":[{\"name\":\"LOG_LEVEL\",\"value\":\"info\"},{\"name\":\"DB_HOST\",\"value\":\"db.)" +
                          ns + R"(.svc\"}],\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080}}}]}}}}\n)";
    while (applied.size() < 1400) applied += " ";
    annotations += R"(,"kubectl.kubernetes.io/last-applied-configuration":")" + applied + "\"";
  }
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","uid":"9b1f0000-0000-4000-8000-)" + std::to_string(100000000000 + i) + R"(","resourceVersion":")" +
         std::to_string(100000 + i) + R"(","generation":7,"creationTimestamp":"2026-04-01T09:00:00Z",)"
         R"("labels":{"app":")" + name + R"(","app.kubernetes.io/name":")" + name +
         R"(","app.kubernetes.io/instance":")" + name + R"(","app.kubernetes.io/version":"1.4.2","app.kubernetes.io/part-of":")" +
         ns + R"(","app.kubernetes.io/managed-by":"Helm","helm.sh/chart":")" + name +
         R"(-2.3.1","kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},)"
         R"("annotations":{)" + annotations + R"(},"managedFields":[{"manager":"helm-controller","operation":"Apply","apiVersion":"apps/v1","time":"2026-04-01T09:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}}]},)"
         R"("spec":{"replicas":3}})";
}

MetadataCache* g_cache = nullptr;

// Hits over a table of names made before the timing.
void BM_Lookup(benchmark::State& state) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (int i = 0; i < 4096; ++i) {
    int n = static_cast<int>((static_cast<long long>(i) * 7919) % g_objects);
    keys.emplace_back("team-" + std::to_string(n % 200), "svc-" + std::to_string(n));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [ns, name] = keys[i++ & 4095];
    auto meta = g_cache->lookup("apps", "deployments", ns, name);
    benchmark::DoNotOptimize(meta->label("kustomize.toolkit.fluxcd.io/name"));
  }
}

void BM_LookupMiss(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(g_cache->lookup("apps", "deployments", "team-1", "not-there"));
}

}  // namespace

BENCHMARK(BM_Lookup);
BENCHMARK(BM_Lookup)->Threads(2);
BENCHMARK(BM_LookupMiss);

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--objects=", 10) == 0) g_objects = std::stoi(argv[i] + 10);
    else if (std::strncmp(argv[i], "--applied=", 10) == 0) g_applied = std::stoi(argv[i] + 10);
    else if (std::strcmp(argv[i], "--keep-last-applied") == 0) g_keep_applied = true;
  benchmark::Initialize(&argc, argv);

  kube::testing::FakeApiServer server;
  for (int i = 0; i < g_objects; ++i) server.add_object("/apis/apps/v1/deployments", deployment(i));
  kube::testing::TempDir dir;
  std::string text = "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: " +
                     server.url() + "\n    certificate-authority-data: " +
                     base64_encode(kube::testing::test_pki().ca.certificate) +
                     "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n    token: t\n";
  auto config = load_kubeconfig({dir.write("kubeconfig", text)});
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().c_str());
    return 1;
  }
  malloc_trim(0);
  const long before = rss_kib();

  ApiResource deployments;
  deployments.group = "apps";
  deployments.version = "v1";
  deployments.kind = "Deployment";
  deployments.name = "deployments";
  deployments.namespaced = true;
  MetadataCacheOptions options;
  options.resources = {deployments};
  options.client.qps = 0;  // the measurement, not client-go's 5/s
  if (g_keep_applied) options.drop_annotations.clear();
  auto start = std::chrono::steady_clock::now();
  auto cache = MetadataCache::start(std::move(*config), options);
  if (!cache || !(*cache)->wait_for_sync(std::chrono::minutes(5))) {
    std::fprintf(stderr, "the cache did not sync\n");
    return 1;
  }
  auto synced = std::chrono::steady_clock::now() - start;
  malloc_trim(0);  // the LIST pages' documents are gone; give their pages back
  const long after = rss_kib();
  auto stats = (*cache)->stats();
  std::printf("objects cached: %llu (listed in %.2f s, %d per page)\n", static_cast<unsigned long long>(stats.objects),
              std::chrono::duration<double>(synced).count(), static_cast<int>(options.page_size));
  std::printf("RSS before: %ld KiB, after sync: %ld KiB, the cache: %.1f MiB, %.0f bytes per object\n", before, after,
              static_cast<double>(after - before) / 1024.0,
              static_cast<double>(after - before) * 1024.0 / static_cast<double>(stats.objects));
  std::size_t entry_bytes = 0;
  for (int i = 0; i < g_objects; ++i)
    if (auto meta = (*cache)->lookup("apps", "deployments", "team-" + std::to_string(i % 200), "svc-" + std::to_string(i)))
      entry_bytes += meta->bytes();
  std::printf("the entries themselves (ObjectMeta::bytes): %.1f MiB, %.0f bytes per object\n",
              static_cast<double>(entry_bytes) / 1048576.0, static_cast<double>(entry_bytes) / g_objects);
  std::fflush(stdout);

  g_cache = cache->get();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
