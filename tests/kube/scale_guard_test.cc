// The /scale guard end to end below HTTP: serve's ScaleGuard (discovery, the
// LIST+WATCH metadata cache, GET on a miss) against the fake API server (real
// HTTPS on 127.0.0.1, paginated LIST, WATCH with bookmarks and 410), and
// admission::handle judging the real `kubectl scale` review of
// tests/fixtures/scale-deployment-kubectl.json with the default policy set.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "admission/handle.h"
#include "fake_apiserver.h"
#include "kube_test_support.h"
#include "policy/loader.h"
#include "server/audit_sink.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/reloader.h"
#include "server/router.h"
#include "server/scale_guard.h"
#include "server/tls_context.h"
#include "test_pki.h"
#include "util/base64.h"

namespace driftgate::server {
namespace {

using kube::testing::FakeApiServer;
using kube::testing::TempDir;
using kube::testing::test_pki;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDeployments = "/apis/apps/v1/deployments";
constexpr const char* kStatefulSets = "/apis/apps/v1/statefulsets";
const TimePoint kNow = *parse_rfc3339("2026-11-22T16:00:00Z");

kube::Config config_for(const TempDir& dir, const std::string& url) {
  std::string text = "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " +
                     url + "\n    certificate-authority-data: " + base64_encode(test_pki().ca.certificate) +
                     "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n"
                     "    token: t\n";
  auto config = kube::load_kubeconfig({dir.write("kubeconfig", text)});
  EXPECT_TRUE(config.ok()) << config.error();
  return config.ok() ? std::move(*config) : kube::Config{};
}

std::string deployment(const std::string& name, int resource_version, const std::string& metadata_extra) {
  return R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":")" + name +
         R"(","namespace":"users","uid":"uid-)" + name + R"(","resourceVersion":")" + std::to_string(resource_version) +
         "\"" + metadata_extra + R"(},"spec":{"replicas":2}})";
}
const std::string kFluxLabels =
    R"(,"labels":{"app":"x","kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"})";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The fixture review for Deployment users/<name>, scaled by `username` in `groups`.
std::string scale_review(const std::string& name = "users-api", const std::string& username = "jane@example.com",
                         const std::string& groups = R"("developers", "system:authenticated")",
                         std::string uid = "", const std::string& resource_version = "") {
  if (uid.empty()) uid = "uid-" + name;  // deployment()'s
  std::string text = read_text(std::string(KUBE_TEST_DIR) + "/../fixtures/scale-deployment-kubectl.json");
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  replace_all("\"users-api\"", "\"" + name + "\"");
  replace_all("\"jane@example.com\"", "\"" + username + "\"");
  replace_all(R"("developers", "system:authenticated")", groups);
  // The Scale's metadata carries the parent's uid, as the API server sends it.
  replace_all("\"0c8e4a52-31b6-4c35-8a9f-5e4f3b2d1a60\"", "\"" + uid + "\"");
  // The API server sends the parent's resourceVersion too; "" leaves it out (no
  // comparison), so a test need not track every object's version.
  if (resource_version.empty()) replace_all(R"("resourceVersion": "418233",)", "");
  else replace_all(R"("resourceVersion": "418233")", R"("resourceVersion": ")" + resource_version + "\"");
  return text;
}

const policy::PolicySet& default_policies() {
  static const auto set = [] {
    auto loaded = policy::load_directory(std::string(KUBE_TEST_DIR) + "/../../policies");
    EXPECT_TRUE(loaded.ok()) << loaded.error_text();
    return loaded.set;
  }();
  return *set;
}

struct Answer {
  bool allowed = false;
  std::string message;
  std::vector<std::string> warnings;
  Ms took{0};
};

Answer judge(const ScaleGuard& guard, const std::string& review,
             admission::LookupFailure on_failure = admission::LookupFailure::Deny) {
  const auto started = SteadyClock::now();
  auto outcome = admission::handle(review, engine::Endpoint::Validate, default_policies(), kNow, {}, {},
                                   engine::Source::Admission, {.parents = &guard, .on_failure = on_failure});
  EXPECT_EQ(outcome.http_status, 200) << outcome.error;
  return {outcome.decision.allowed, outcome.decision.message, outcome.decision.warnings,
          std::chrono::duration_cast<Ms>(SteadyClock::now() - started)};
}

template <typename F>
bool eventually(F condition, Ms timeout = Ms(10'000)) {
  auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(Ms(5));
  }
  return condition();
}

class ScaleGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<FakeApiServer>();
    server->add_object(kDeployments, deployment("users-api", 100, kFluxLabels));
    server->add_object(kDeployments, deployment("unmanaged", 101, R"(,"labels":{"app":"unmanaged"})"));
    server->add_object(kDeployments,
                       deployment("incident", 102,
                                  kFluxLabels + R"(,"annotations":{"driftgate.dev/break-glass-until":"2026-11-22T18:00:00Z",)"
                                                R"("driftgate.dev/break-glass-reason":"INC-4312 traffic spike"})"));
    server->add_deployments(7, "apps");  // more pages (page size 3 below)
    server->add_object(kStatefulSets, R"({"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"db","namespace":"users","resourceVersion":"5"}})");
  }

  std::unique_ptr<ScaleGuard> start_guard(Ms lookup_timeout = Ms(1'500), bool wait_for_sync = true) {
    ScaleGuardOptions options;
    options.lookup_timeout = lookup_timeout;
    options.discovery_retry = Ms(100);
    options.cache.page_size = 3;
    options.cache.backoff_initial = Ms(20);
    options.cache.backoff_max = Ms(100);
    options.cache.client.qps = 0;
    auto set = std::make_shared<const policy::PolicySet>(default_policies());
    auto guard = ScaleGuard::start(config_for(dir, server->url()), set, options);
    if (wait_for_sync) {
      EXPECT_TRUE(eventually([&] { return guard->synced(); })) << guard->status_json();
    }
    return guard;
  }

  TempDir dir;
  std::unique_ptr<FakeApiServer> server;
};

TEST_F(ScaleGuardTest, APersonsScaleOfAFluxManagedDeploymentIsRefusedFromTheCache) {
  auto guard = start_guard();
  EXPECT_EQ(guard->stats().resources, 2u) << "deployments and statefulsets: both have /scale";
  EXPECT_EQ(guard->stats().objects, 11u);
  std::size_t pages = 0;
  for (const auto& r : server->requests())
    if (r.path == kDeployments && !r.query.count("watch")) {
      ++pages;
      EXPECT_EQ(r.query.at("limit"), "3");
    }
  EXPECT_EQ(pages, 4u) << "10 Deployments, 3 a page";
  ASSERT_TRUE(server->wait_for_watches(2, 2, Ms(10'000)));  // the watches follow the LISTs
  server->clear_requests();
  Answer a = judge(*guard, scale_review());
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.message,
            "gitops-ownership/no-manual-edits: Deployment users/users-api is managed by Flux Kustomization "
            "flux-system/apps; change spec.replicas in Git instead");
  EXPECT_TRUE(server->requests().empty()) << "a hit costs no API call";
  EXPECT_EQ(guard->stats().cache_hits, 1u);
}

TEST_F(ScaleGuardTest, TheHpaScalesAndAnUnmanagedDeploymentScalesAndBreakGlassWarns) {
  auto guard = start_guard();
  Answer hpa = judge(*guard, scale_review("users-api", "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
                                          R"("system:serviceaccounts")"));
  EXPECT_TRUE(hpa.allowed) << hpa.message;
  EXPECT_EQ(guard->stats().cache_hits, 0u) << "an excluded subject needs no lookup";
  EXPECT_TRUE(judge(*guard, scale_review("unmanaged")).allowed);
  Answer oncall = judge(*guard, scale_review("incident", "bob@example.com", R"("oncall")"));
  EXPECT_TRUE(oncall.allowed) << oncall.message;
  ASSERT_EQ(oncall.warnings.size(), 1u);
  EXPECT_EQ(oncall.warnings[0],
            "break-glass by bob@example.com until 2026-11-22T18:00:00Z (INC-4312 traffic spike): gitops-ownership "
            "allowed spec.replicas; commit the change to Git");
}

TEST_F(ScaleGuardTest, AnObjectNewerThanTheLastWatchEventIsFetchedWithAGet) {
  auto guard = start_guard();
  server->add_object(kDeployments, deployment("brand-new", 200, kFluxLabels));  // no watch event yet
  server->clear_requests();
  Answer a = judge(*guard, scale_review("brand-new"));
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("Deployment users/brand-new is managed by Flux Kustomization flux-system/apps"),
            std::string::npos)
      << a.message;
  EXPECT_EQ(guard->stats().gets, 1u);
  bool got = false;
  for (const auto& r : server->requests())
    if (r.method == "GET" && r.path == "/apis/apps/v1/namespaces/users/deployments/brand-new") got = true;
  EXPECT_TRUE(got);
  // A scale of an object that does not exist at all: the API server answers it 404 itself.
  EXPECT_TRUE(judge(*guard, scale_review("nowhere")).allowed);
}

TEST_F(ScaleGuardTest, AParentDeletedAndRecreatedUnseenByTheWatchIsFetchedNotJudgedByTheOldEntry) {
  auto guard = start_guard();
  ASSERT_TRUE(guard->stats().objects > 0);
  // Deployment users/unmanaged is deleted and recreated by Flux (a new uid, Flux's
  // labels) while the watch sees nothing (down, or lagging): the cache still holds
  // the old, unmanaged object under the same name.
  server->clear_objects(kDeployments);
  std::string recreated = deployment("unmanaged", 500, kFluxLabels);
  recreated.replace(recreated.find("uid-unmanaged"), 13, "uid-unmanaged-2");
  server->add_object(kDeployments, recreated);
  const auto gets = guard->stats().gets;
  Answer a = judge(*guard, scale_review("unmanaged", "jane@example.com", R"("developers")", "uid-unmanaged-2"));
  EXPECT_FALSE(a.allowed) << "judged by the deleted object's metadata (no Flux labels): allowed";
  EXPECT_NE(a.message.find("Deployment users/unmanaged is managed by Flux Kustomization flux-system/apps"),
            std::string::npos)
      << a.message;
  EXPECT_EQ(guard->stats().gets, gets + 1) << "a cached entry of another uid is a miss";
}

// Flux adopts an existing Deployment (same uid; its labels added, a new
// resourceVersion) while the watch sees nothing: the cached entry, without Flux's
// labels, must not judge a person's scale. The Scale carries the parent's current
// resourceVersion; a cached entry of another one is a miss, fetched.
TEST_F(ScaleGuardTest, AParentChangedUnseenByTheWatchIsFetchedNotJudgedByTheStaleEntry) {
  auto guard = start_guard();
  ASSERT_TRUE(guard->stats().objects > 0);
  server->clear_objects(kDeployments);
  server->add_object(kDeployments, deployment("unmanaged", 600, kFluxLabels));  // same uid, adopted
  const auto gets = guard->stats().gets;
  Answer a = judge(*guard, scale_review("unmanaged", "jane@example.com", R"("developers")", "", "600"));
  EXPECT_FALSE(a.allowed) << "judged by the stale entry (no Flux labels): allowed";
  EXPECT_NE(a.message.find("Deployment users/unmanaged is managed by Flux Kustomization flux-system/apps"),
            std::string::npos)
      << a.message;
  EXPECT_EQ(guard->stats().gets, gets + 1) << "a cached entry of another resourceVersion is a miss";
  // The cached entry's own resourceVersion (101) is a hit: no GET.
  const auto hits = guard->stats().cache_hits;
  judge(*guard, scale_review("unmanaged", "jane@example.com", R"("developers")", "", "101"));
  EXPECT_EQ(guard->stats().cache_hits, hits + 1);
}

TEST_F(ScaleGuardTest, AWatchThatDropsResumesAndA410Relists) {
  auto guard = start_guard();
  ASSERT_TRUE(server->wait_for_watches(2, 2, Ms(10'000)));
  // Flux's opt-out arrives by a watch event: the scale is then allowed, from the cache.
  server->push_event(kDeployments, "MODIFIED",
                     deployment("users-api", 300, kFluxLabels + R"(,"annotations":{"kustomize.toolkit.fluxcd.io/reconcile":"disabled"})"));
  ASSERT_TRUE(eventually([&] { return judge(*guard, scale_review()).allowed; }));
  server->drop_watches();
  ASSERT_TRUE(eventually([&] { return guard->stats().watch_restarts >= 1 && server->open_watches() == 2; }));
  server->push_event(kDeployments, "ADDED", deployment("after-drop", 301, kFluxLabels));
  ASSERT_TRUE(eventually([&] { return guard->stats().objects == 12; }));
  const auto gets = guard->stats().gets;
  EXPECT_FALSE(judge(*guard, scale_review("after-drop")).allowed);
  EXPECT_EQ(guard->stats().gets, gets) << "the resumed watch brought it: no GET";
  // 410 Gone: the resourceVersion left etcd's history; the cache lists again.
  server->push_line(kDeployments,
                    R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}})j");
  ASSERT_TRUE(eventually([&] { return guard->stats().relists >= 1; }));
  EXPECT_TRUE(eventually([&] { return guard->synced(); }));
}

TEST_F(ScaleGuardTest, TheApiServerDownDeniesWithinTheTimeoutOrAllowsAsTheFlagSays) {
  auto guard = start_guard(Ms(900));
  server.reset();  // every connection refused from now on
  Answer denied = judge(*guard, scale_review("created-while-down"));
  EXPECT_FALSE(denied.allowed);
  EXPECT_NE(denied.message.find("driftgate could not look up deployments.apps users/created-while-down to judge this "
                                "scale by its owner: not in the cache, and "),
            std::string::npos)
      << denied.message;
  EXPECT_NE(denied.message.find("(--lookup-failure=deny, the default"), std::string::npos) << denied.message;
  EXPECT_LT(denied.took, Ms(900));
  Answer allowed = judge(*guard, scale_review("created-while-down"), admission::LookupFailure::Allow);
  EXPECT_TRUE(allowed.allowed);
  ASSERT_EQ(allowed.warnings.size(), 1u);
  EXPECT_NE(allowed.warnings[0].find("allowed unjudged (--lookup-failure=allow)"), std::string::npos);
  // What the cache holds is still judged: a scale of users-api needs no API server.
  EXPECT_FALSE(judge(*guard, scale_review()).allowed);
  EXPECT_EQ(guard->stats().failures, 2u);
}

// serve's I/O threads judge scales at once: hits share the cache, misses take turns
// for the GET, and every answer is right while watch events apply.
TEST_F(ScaleGuardTest, ConcurrentLookupsHitsAndMissesAreEachJudgedRight) {
  auto guard = start_guard(Ms(6'000));
  server->add_object(kDeployments, deployment("late", 400, kFluxLabels));  // a miss: GET each time
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (judge(*guard, scale_review(i % 2 ? "users-api" : "late")).allowed) ++wrong;
        if (!judge(*guard, scale_review("unmanaged")).allowed) ++wrong;
        if (t == 0 && i == 10)
          server->push_event(kDeployments, "MODIFIED", deployment("unmanaged", 401, R"(,"labels":{"app":"u2"})"));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  const ScaleGuardStats stats = guard->stats();
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_EQ(stats.gets, 52u);   // 4 threads x 13 even i: "late"
  EXPECT_EQ(stats.cache_hits, 148u);  // 4 x 12 users-api + 4 x 25 unmanaged
}

// serve's router with the guard: /readyz waits for the caches, /readyz?verbose and
// /metrics show them, and a POST /validate of the fixture is judged by its parent.
TEST_F(ScaleGuardTest, ReadyzWaitsForTheCachesAndMetricsCountLookups) {
  Options options;
  options.policies_dir = std::string(KUBE_TEST_DIR) + "/../../policies";
  auto sink = AuditSink::open((dir.path() / "audit.log").string());
  ASSERT_TRUE(sink.ok()) << sink.error();
  Metrics metrics;
  PolicyStore policies;
  TlsContextStore tls;
  Reloader reloader(options, policies, tls, metrics, **sink);
  reloader.load_policies_now();
  const RequestHead readyz{"GET", "/readyz", "", std::nullopt};
  const RequestHead verbose{"GET", "/readyz?verbose", "", std::nullopt};
  const RequestHead metrics_head{"GET", "/metrics", "", std::nullopt};

  // Off: ready with the policies alone; verbose says why it is off.
  ScaleGuardSetting off{nullptr, "--scale-guard=off"};
  Router off_router(options, metrics, policies, tls, **sink, &off);
  EXPECT_EQ(off_router.handle(readyz, "").status, 200);
  EXPECT_NE(off_router.handle(verbose, "").body.find(R"("scaleGuard":{"state":"off","reason":"--scale-guard=off"})"),
            std::string::npos)
      << off_router.handle(verbose, "").body;
  EXPECT_NE(off_router.handle(metrics_head, "").body.find("\ndriftgate_scale_guard_enabled 0\n"), std::string::npos);

  // On, before the caches could list: not ready, and verbose says why.
  FakeApiServer forbidding;
  forbidding.forbid("/apis/apps/v1/deployments", "deployments", "system:serviceaccount:driftgate-system:driftgate");
  ScaleGuardOptions guard_options;
  guard_options.cache.backoff_initial = Ms(20);
  guard_options.cache.backoff_max = Ms(50);
  auto unsynced = ScaleGuard::start(config_for(dir, forbidding.url()), nullptr, guard_options);
  ScaleGuardSetting on_unsynced{unsynced.get(), ""};
  Router unsynced_router(options, metrics, policies, tls, **sink, &on_unsynced);
  ASSERT_TRUE(eventually([&] { return unsynced_router.handle(verbose, "").body.find("cannot list resource") != std::string::npos; }))
      << unsynced_router.handle(verbose, "").body;
  const auto not_ready = unsynced_router.handle(readyz, "");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: the scale guard's caches have not synced yet\n");

  // On and synced: ready; a scale review through the router is judged by its parent.
  auto guard = start_guard();
  ScaleGuardSetting on{guard.get(), ""};
  metrics.watch_scale_guard([g = guard.get()] { return g->stats(); });
  Router router(options, metrics, policies, tls, **sink, &on);
  EXPECT_EQ(router.handle(readyz, "").status, 200);
  EXPECT_NE(router.handle(verbose, "").body.find(R"("scaleGuard":{"state":"synced")"), std::string::npos);
  const RequestHead post{"POST", "/validate", "application/json", std::nullopt};
  auto denied = router.handle(post, scale_review());
  EXPECT_EQ(denied.status, 200);
  EXPECT_NE(denied.body.find("\"allowed\":false"), std::string::npos) << denied.body;
  EXPECT_NE(denied.body.find("change spec.replicas in Git instead"), std::string::npos) << denied.body;
  const std::string text = router.handle(metrics_head, "").body;
  for (const char* series : {"\ndriftgate_scale_guard_enabled 1\n", "\ndriftgate_scale_guard_synced 1\n",
                             "\ndriftgate_scale_guard_objects_cached 11\n", "\ndriftgate_scale_guard_watched_resources 2\n",
                             "\ndriftgate_scale_guard_lookups_total{result=\"cache_hit\"} 1\n",
                             "\ndriftgate_scale_guard_lookups_total{result=\"get\"} 0\n",
                             "\ndriftgate_scale_guard_lookups_total{result=\"failure\"} 0\n",
                             "\ndriftgate_scale_guard_watch_restarts_total 0\n"})
    EXPECT_NE(text.find(series), std::string::npos) << series << "\n" << text;
}

// Found by review: discovery of apps/v1 failing once at start (a timeout, a 403
// while RBAC propagates) left Deployments unwatched for good: every person's scale
// denied until a restart, while /readyz said ready. The groups of the built-in
// scalable kinds must be discovered: until they are, discovery is retried and the
// guard is not synced; then it watches and judges from the cache.
TEST_F(ScaleGuardTest, AFailedDiscoveryOfAppsIsRetriedNotLeftUnwatched) {
  server->forbid("/apis/apps/v1", "deployments", "scale-guard");
  auto guard = start_guard(Ms(1'500), /*wait_for_sync=*/false);
  ASSERT_TRUE(eventually([&] { return guard->status_json().find("apps/v1: 403") != std::string::npos; }))
      << guard->status_json();
  EXPECT_FALSE(guard->synced());
  server->allow_all();
  ASSERT_TRUE(eventually([&] { return guard->synced(); })) << guard->status_json();
  Answer a = judge(*guard, scale_review());
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("Deployment users/users-api is managed by Flux Kustomization flux-system/apps"),
            std::string::npos)
      << a.message;
}

TEST(ScaleGuard, AnUnreachableApiServerAtStartIsALookupFailureNamingDiscovery) {
  TempDir dir;
  ScaleGuardOptions options;
  options.lookup_timeout = Ms(600);
  options.discovery_retry = Ms(50);
  options.cache.client.connect_timeout = Ms(300);
  // A port nothing listens on: a server started and stopped.
  std::string url;
  {
    FakeApiServer gone;
    url = gone.url();
  }
  auto guard = ScaleGuard::start(config_for(dir, url), nullptr, options);
  // Discovery keeps failing, and /readyz?verbose says why.
  ASSERT_TRUE(eventually([&] {
    const std::string status = guard->status_json();
    return status.find("\"state\":\"discovering\"") != std::string::npos &&
           status.find("\"lastError\":\"\"") == std::string::npos;
  })) << guard->status_json();
  EXPECT_FALSE(guard->synced());
  Answer a = judge(*guard, scale_review());
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("the scale guard has not reached the API server yet"), std::string::npos) << a.message;
}

}  // namespace
}  // namespace driftgate::server
