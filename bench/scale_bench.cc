// The /scale guard's cost on the request path (issue 12): a `kubectl scale` review
// (tests/fixtures/scale-deployment-kubectl.json) judged by its parent from serve's
// watch cache (server/scale_guard.h, synced from the fake API server over real TLS
// with 10,000 Deployments), against the same review without the guard and against an
// ordinary write (tests/fixtures/configmap-kubectl-edit.json, a denied kubectl edit).
//
//   build/bench/scale_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "admission/handle.h"
#include "fake_apiserver.h"
#include "policy/loader.h"
#include "server/scale_guard.h"
#include "test_pki.h"
#include "util/base64.h"

namespace {

using namespace driftgate;

const TimePoint kNow = *parse_rfc3339("2026-11-22T16:00:00Z");

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "scale_bench: cannot read " << path << "\n";
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const policy::PolicySet& policies() {
  static const auto set = [] {
    auto loaded = policy::load_directory(std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
    if (!loaded.ok()) {
      std::cerr << loaded.error_text();
      std::exit(1);
    }
    return loaded.set;
  }();
  return *set;
}

const std::string& scale_review() {
  static const std::string text = read_text(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/scale-deployment-kubectl.json");
  return text;
}
const std::string& ordinary_review() {
  static const std::string text = read_text(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/configmap-kubectl-edit.json");
  return text;
}

// The fake API server and a synced guard, for the whole run.
struct Cluster {
  kube::testing::FakeApiServer server;
  std::unique_ptr<server::ScaleGuard> guard;

  Cluster() {
    server.add_object("/apis/apps/v1/deployments",
                      R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"users-api","namespace":"users","uid":"u","resourceVersion":"7","labels":{"app":"users-api","kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"}}})");
    server.add_deployments(10'000);
    server.add_object("/apis/apps/v1/statefulsets",
                      R"({"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"db","namespace":"users","resourceVersion":"5"}})");
    const std::string kubeconfig =
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: " + server.url() +
        "\n    certificate-authority-data: " + base64_encode(kube::testing::test_pki().ca.certificate) +
        "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n";
    std::string pattern = (std::filesystem::temp_directory_path() / "scale-bench-XXXXXX").string();
    const std::filesystem::path dir = mkdtemp(pattern.data());
    std::ofstream(dir / "kubeconfig") << kubeconfig;
    auto config = kube::load_kubeconfig({dir / "kubeconfig"});
    std::filesystem::remove_all(dir);
    if (!config) std::exit(1);
    server::ScaleGuardOptions options;
    options.cache.client.qps = 0;
    guard = server::ScaleGuard::start(std::move(*config), nullptr, options);
    for (int i = 0; i < 600 && !guard->synced(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!guard->synced()) {
      std::cerr << "scale_bench: the cache did not sync: " << guard->status_json() << "\n";
      std::exit(1);
    }
  }
};

Cluster& cluster() {
  static Cluster c;
  return c;
}

void run(benchmark::State& state, const std::string& review, const admission::Subresources& subresources,
         bool expect_allowed) {
  for (auto _ : state) {
    auto outcome = admission::handle(review, engine::Endpoint::Validate, policies(), kNow, {}, {},
                                     engine::Source::Admission, subresources);
    if (outcome.decision.allowed != expect_allowed) state.SkipWithError("unexpected decision");
    benchmark::DoNotOptimize(outcome);
  }
  state.SetLabel(std::to_string(review.size()) + " B review");
}

// A person's scale of the Flux-managed users-api: looked up in the cache, denied.
void BM_Scale_FromCache(benchmark::State& state) {
  run(state, scale_review(), {.parents = cluster().guard.get()}, false);
}
BENCHMARK(BM_Scale_FromCache);

// The same review with the guard off (judged as a Scale: nothing matches, allowed).
void BM_Scale_NoGuard(benchmark::State& state) { run(state, scale_review(), {}, true); }
BENCHMARK(BM_Scale_NoGuard);

// An ordinary write (a denied kubectl edit of a ConfigMap) with the guard on: no lookup.
void BM_OrdinaryWrite_GuardOn(benchmark::State& state) {
  run(state, ordinary_review(), {.parents = cluster().guard.get()}, false);
}
BENCHMARK(BM_OrdinaryWrite_GuardOn);

}  // namespace

BENCHMARK_MAIN();
