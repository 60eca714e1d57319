// WATCH and the metadata cache against the fake API server (real HTTPS on
// 127.0.0.1): events in order, bookmarks, resumption from the last
// resourceVersion, a 410 relist, cancellation, lookups while events apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "fake_apiserver.h"
#include "json/parse.h"
#include "kube/client.h"
#include "kube/list.h"
#include "kube/metadata_cache.h"
#include "kube/watch.h"
#include "kube_test_support.h"
#include "test_pki.h"
#include "util/base64.h"

namespace driftgate::kube {
namespace {

using testing::FakeApiServer;
using testing::TempDir;
using testing::test_pki;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kDeployments = "/apis/apps/v1/deployments";

Config config_for(const TempDir& dir, const FakeApiServer& server) {
  std::string text = "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " +
                     server.url() + "\n    certificate-authority-data: " + base64_encode(test_pki().ca.certificate) +
                     "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n"
                     "    token: t\n";
  auto config = load_kubeconfig({dir.write("kubeconfig", text)});
  EXPECT_TRUE(config.ok()) << config.error();
  return config.ok() ? std::move(*config) : Config{};
}

Client connect(const TempDir& dir, const FakeApiServer& server) {
  auto client = Client::create(config_for(dir, server));
  if (!client.ok()) std::abort();
  return std::move(*client);
}

ApiResource deployments() {
  ApiResource r;
  r.group = "apps";
  r.version = "v1";
  r.kind = "Deployment";
  r.name = "deployments";
  r.namespaced = true;
  r.verbs = {"get", "list", "watch"};
  return r;
}

std::string deployment(const std::string& name, int resource_version, const std::string& labels = R"({"app":"x"})") {
  return R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":")" + name +
         R"(","namespace":"apps","uid":"uid-)" + name + R"(","resourceVersion":")" + std::to_string(resource_version) +
         R"(","labels":)" + labels +
         R"(,"annotations":{"deployment.kubernetes.io/revision":"1"},"ownerReferences":[{"apiVersion":"example.com/v1","kind":"App","name":"parent","uid":"p-1","controller":true}]},"spec":{"replicas":2}})";
}

std::string bookmark(int resource_version) {
  return R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":")" +
         std::to_string(resource_version) + R"("}})";
}

constexpr const char* kExpired =
    R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 4711 (9100)","reason":"Expired","code":410}})j";

template <typename F>
bool eventually(F condition, Ms timeout = Ms(10'000)) {
  auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(Ms(5));
  }
  return condition();
}

std::vector<kube::testing::RecordedRequest> watch_requests(const FakeApiServer& server) {
  std::vector<kube::testing::RecordedRequest> out;
  for (auto& r : server.requests())
    if (r.query.count("watch")) out.push_back(r);
  return out;
}

std::size_t list_requests(const FakeApiServer& server) {
  std::size_t n = 0;
  for (auto& r : server.requests())
    if (r.path == kDeployments && !r.query.count("watch")) ++n;
  return n;
}

// --- Watch ---

TEST(KubeWatch, EventsArriveInOrderAndBookmarksAdvanceTheResourceVersion) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  WatchOptions options;
  options.resource_version = "5000";
  Watch watch(client, deployments(), options);
  std::thread pusher([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    server.push_event(kDeployments, "ADDED", deployment("a", 5001));
    server.push_event(kDeployments, "MODIFIED", deployment("a", 5002, R"({"app":"y"})"));
    server.push_event(kDeployments, "DELETED", deployment("a", 5003));
    server.push_event(kDeployments, "BOOKMARK", bookmark(5010));
    server.close_watches();
  });
  std::vector<std::pair<EventType, std::string>> seen;
  for (;;) {
    auto event = watch.next();
    ASSERT_TRUE(event.ok()) << event.error();
    if (!*event) break;
    seen.emplace_back((*event)->type, std::string((*event)->resource_version()));
    if ((*event)->type == EventType::Modified) {
      EXPECT_EQ((*event)->object().find("metadata")->find("labels")->string_at("app"), "y");
    }
  }
  pusher.join();
  std::vector<std::pair<EventType, std::string>> expected = {{EventType::Added, "5001"},
                                                             {EventType::Modified, "5002"},
                                                             {EventType::Deleted, "5003"},
                                                             {EventType::Bookmark, "5010"}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(watch.resource_version(), "5010");
  EXPECT_FALSE(watch.next().value().has_value());  // done

  auto requests = watch_requests(server);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, kDeployments);
  EXPECT_EQ(requests[0].query["watch"], "1");
  EXPECT_EQ(requests[0].query["allowWatchBookmarks"], "true");
  EXPECT_EQ(requests[0].query["resourceVersion"], "5000");
  int timeout = std::stoi(requests[0].query["timeoutSeconds"]);
  EXPECT_GE(timeout, 300);  // client-go's reflector: [5 min, 10 min)
  EXPECT_LT(timeout, 600);
  EXPECT_EQ(requests[0].headers["accept"], "application/json");
  EXPECT_EQ(client.stats().streams, 1u);
}

TEST(KubeWatch, MetadataOnlyAsksForPartialObjectMetadata) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  WatchOptions options;
  options.metadata_only = true;
  options.jitter = false;
  options.timeout = std::chrono::seconds(42);
  Watch watch(client, deployments(), options);
  std::thread pusher([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    server.push_event(kDeployments, "ADDED", deployment("a", 5001));
  });
  auto event = watch.next();
  pusher.join();
  ASSERT_TRUE(event.ok()) << event.error();
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->object().string_at("kind"), "PartialObjectMetadata");
  EXPECT_EQ((*event)->object().find("spec"), nullptr);
  auto requests = watch_requests(server);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers["accept"], std::string(kAcceptPartialObjectMetadata));
  EXPECT_EQ(requests[0].query["timeoutSeconds"], "42");
  EXPECT_EQ(requests[0].query.count("resourceVersion"), 0u);
}

TEST(KubeWatch, A410ErrorEventIsExpired) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  Watch watch(client, deployments());
  std::thread pusher([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    server.push_line(kDeployments, kExpired);
  });
  auto event = watch.next();
  pusher.join();
  ASSERT_TRUE(event.ok()) << event.error();
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->type, EventType::Error);
  EXPECT_TRUE((*event)->expired());
  EXPECT_EQ((*event)->status()->message, "too old resource version: 4711 (9100)");
}

TEST(KubeWatch, ANon2xxAnswerIsOneErrorEventWithTheStatus) {
  FakeApiServer server;
  server.forbid("/apis/apps/v1/deployments", "deployments", "system:serviceaccount:driftgate:driftgate");
  TempDir dir;
  Client client = connect(dir, server);
  Watch watch(client, deployments());
  auto event = watch.next();
  ASSERT_TRUE(event.ok()) << event.error();
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->type, EventType::Error);
  EXPECT_FALSE((*event)->expired());
  EXPECT_EQ((*event)->status()->code, 403);
  EXPECT_NE((*event)->status()->message.find("cannot list resource \"deployments\""), std::string::npos);
  EXPECT_FALSE(watch.next().value().has_value());
}

TEST(KubeWatch, AnEventLargerThanTheLimitIsAClearError) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  WatchOptions options;
  options.max_event_bytes = 4096;
  Watch watch(client, deployments(), options);
  std::thread pusher([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    server.push_event(kDeployments, "ADDED", deployment("a", 5001, R"({"big":")" + std::string(20000, 'x') + "\"}"));
  });
  auto event = watch.next();
  pusher.join();
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.error().find("a line longer than 4096 bytes"), std::string::npos) << event.error();
}

TEST(KubeWatch, StopFromAnotherThreadEndsABlockedNextPromptly) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  Watch watch(client, deployments());
  std::thread stopper([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    std::this_thread::sleep_for(Ms(100));
    watch.stop();
  });
  auto start = SteadyClock::now();
  auto event = watch.next();
  auto took = SteadyClock::now() - start;
  stopper.join();
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.error().find("stopped"), std::string::npos) << event.error();
  EXPECT_LT(took, Ms(5'000));
}

TEST(KubeWatch, SilenceLongerThanTheIdleTimeoutIsAnError) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  WatchOptions options;
  options.idle_timeout = Ms(300);
  Watch watch(client, deployments(), options);
  auto start = SteadyClock::now();
  auto event = watch.next();
  auto took = SteadyClock::now() - start;
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.error().find("nothing received for 300 ms"), std::string::npos) << event.error();
  EXPECT_GE(took, Ms(250));
  EXPECT_LT(took, Ms(5'000));
}

TEST(KubeWatch, ADroppedConnectionIsAnError) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(dir, server);
  Watch watch(client, deployments());
  std::thread dropper([&] {
    ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
    server.push_event(kDeployments, "ADDED", deployment("a", 5001));
    server.drop_watches();
  });
  auto first = watch.next();
  ASSERT_TRUE(first.ok()) << first.error();
  auto second = watch.next();
  dropper.join();
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(watch.resource_version(), "5001");
}

// --- MetadataCache ---

MetadataCacheOptions cache_options() {
  MetadataCacheOptions o;
  o.resources = {deployments()};
  o.backoff_initial = Ms(20);
  o.backoff_max = Ms(200);
  return o;
}

std::unique_ptr<MetadataCache> start_cache(const TempDir& dir, const FakeApiServer& server,
                                           MetadataCacheOptions options = cache_options()) {
  auto cache = MetadataCache::start(config_for(dir, server), std::move(options));
  if (!cache.ok()) std::abort();
  return std::move(*cache);
}

std::string label(const MetadataCache& cache, const std::string& name, const std::string& key) {
  auto meta = cache.lookup("apps", "deployments", "apps", name);
  if (!meta) return "<none>";
  return std::string(meta->label(key).value_or("<no label>"));
}

TEST(KubeMetadataCache, ListsWithPartialObjectMetadataThenWatchesFromTheListsResourceVersion) {
  FakeApiServer server;
  server.add_deployments(3);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  EXPECT_TRUE(cache->has_synced());
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));

  auto meta = cache->lookup("apps", "deployments", "apps", "users-api-1");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->name(), "users-api-1");
  EXPECT_EQ(meta->namespace_(), "apps");
  EXPECT_EQ(meta->uid(), "9b1f0000-0000-4000-8000-100000000001");
  EXPECT_EQ(meta->resource_version(), "5001");
  EXPECT_EQ(meta->label("kustomize.toolkit.fluxcd.io/name"), "apps");
  EXPECT_EQ(meta->annotation("deployment.kubernetes.io/revision"), "3");
  EXPECT_EQ(meta->label_count(), 3u);
  EXPECT_EQ(cache->lookup("apps", "deployments", "apps", "nope"), nullptr);
  EXPECT_EQ(cache->lookup("apps", "deployments", "other", "users-api-1"), nullptr);
  EXPECT_EQ(cache->lookup("", "configmaps", "apps", "users-api-1"), nullptr);
  EXPECT_EQ(cache->stats().objects, 3u);

  auto requests = server.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, kDeployments);
  EXPECT_EQ(requests[0].headers["accept"], std::string(kAcceptPartialObjectMetadataList));
  EXPECT_EQ(requests[0].query["limit"], "500");
  auto watches = watch_requests(server);
  ASSERT_EQ(watches.size(), 1u);
  EXPECT_EQ(watches[0].query["resourceVersion"], "4711");
  EXPECT_EQ(watches[0].query["allowWatchBookmarks"], "true");
  EXPECT_EQ(watches[0].headers["accept"], std::string(kAcceptPartialObjectMetadata));
}

TEST(KubeMetadataCache, AppliesAddedModifiedDeletedAndBookmarks) {
  FakeApiServer server;
  server.add_deployments(2);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));

  server.push_event(kDeployments, "ADDED", deployment("fresh", 6000, R"({"app":"fresh","team":"a"})"));
  ASSERT_TRUE(eventually([&] { return label(*cache, "fresh", "team") == "a"; }));
  auto fresh = cache->lookup("apps", "deployments", "apps", "fresh");
  ASSERT_EQ(fresh->owner_count(), 1u);
  EXPECT_EQ(fresh->owner(0).kind, "App");
  EXPECT_EQ(fresh->owner(0).name, "parent");
  EXPECT_TRUE(fresh->owner(0).controller);

  server.push_event(kDeployments, "MODIFIED", deployment("fresh", 6001, R"({"app":"fresh","team":"b"})"));
  ASSERT_TRUE(eventually([&] { return label(*cache, "fresh", "team") == "b"; }));
  EXPECT_EQ(fresh->label("team"), "a");  // an entry is immutable: the old one is unchanged
  EXPECT_EQ(cache->lookup("apps", "deployments", "apps", "fresh")->resource_version(), "6001");

  server.push_event(kDeployments, "DELETED", deployment("users-api-0", 6002));
  ASSERT_TRUE(eventually([&] { return cache->lookup("apps", "deployments", "apps", "users-api-0") == nullptr; }));
  EXPECT_EQ(cache->stats().objects, 2u);

  server.push_event(kDeployments, "BOOKMARK", bookmark(6100));
  ASSERT_TRUE(eventually([&] { return cache->stats().events == 4; }));
  // The resume point moves when the watch ends: close it and see where it resumes.
  server.close_watches();
  ASSERT_TRUE(server.wait_for_watches(2, 1, Ms(10'000)));
  auto watches = watch_requests(server);
  ASSERT_EQ(watches.size(), 2u);
  EXPECT_EQ(watches[1].query["resourceVersion"], "6100");
  EXPECT_EQ(cache->stats().objects, 2u);
}

TEST(KubeMetadataCache, AClosedStreamIsResumedFromTheLastResourceVersionWithoutRelisting) {
  FakeApiServer server;
  server.add_deployments(2);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
  server.push_event(kDeployments, "MODIFIED", deployment("users-api-1", 7001, R"({"app":"z"})"));
  ASSERT_TRUE(eventually([&] { return label(*cache, "users-api-1", "app") == "z"; }));
  server.close_watches();
  ASSERT_TRUE(server.wait_for_watches(2, 1, Ms(10'000)));
  EXPECT_EQ(watch_requests(server)[1].query["resourceVersion"], "7001");

  // A connection that just drops: resumed too, after a backoff.
  server.push_event(kDeployments, "BOOKMARK", bookmark(7050));
  ASSERT_TRUE(eventually([&] { return cache->stats().events == 2; }));
  server.drop_watches();
  ASSERT_TRUE(server.wait_for_watches(3, 1, Ms(10'000)));
  EXPECT_EQ(watch_requests(server)[2].query["resourceVersion"], "7050");

  auto stats = cache->stats();
  EXPECT_EQ(stats.lists, 1u);
  EXPECT_EQ(stats.relists, 0u);
  EXPECT_EQ(stats.watch_restarts, 2u);
  EXPECT_EQ(stats.errors, 1u);  // the drop
  EXPECT_EQ(list_requests(server), 1u);
  EXPECT_EQ(label(*cache, "users-api-1", "app"), "z");
}

TEST(KubeMetadataCache, A410RelistsAndTheCacheMatchesTheNewList) {
  FakeApiServer server;
  server.add_deployments(3);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
  ASSERT_NE(cache->lookup("apps", "deployments", "apps", "users-api-2"), nullptr);

  // Meanwhile (events the watch missed): users-api-2 deleted, "late" created.
  server.clear_objects(kDeployments);
  server.add_object(kDeployments, deployment("users-api-0", 9001, R"({"app":"users-api","relisted":"yes"})"));
  server.add_object(kDeployments, deployment("users-api-1", 9002));
  server.add_object(kDeployments, deployment("late", 9003));
  server.set_list_resource_version(9100);
  server.push_line(kDeployments, kExpired);

  ASSERT_TRUE(eventually([&] { return cache->stats().lists == 2; }));
  ASSERT_TRUE(server.wait_for_watches(2, 1, Ms(10'000)));
  EXPECT_EQ(list_requests(server), 2u);
  EXPECT_EQ(label(*cache, "users-api-0", "relisted"), "yes");
  EXPECT_NE(cache->lookup("apps", "deployments", "apps", "late"), nullptr);
  EXPECT_EQ(cache->lookup("apps", "deployments", "apps", "users-api-2"), nullptr);
  EXPECT_EQ(cache->stats().objects, 3u);
  EXPECT_EQ(cache->stats().relists, 1u);
  EXPECT_EQ(watch_requests(server)[1].query["resourceVersion"], "9100");
  EXPECT_TRUE(cache->has_synced());
}

TEST(KubeMetadataCache, IsNotSyncedUntilEveryResourceHasListed) {
  FakeApiServer server;
  server.add_deployments(1);
  server.forbid("/api/v1/configmaps", "configmaps", "system:serviceaccount:driftgate:driftgate");
  TempDir dir;
  MetadataCacheOptions options = cache_options();
  ApiResource configmaps;
  configmaps.version = "v1";
  configmaps.kind = "ConfigMap";
  configmaps.name = "configmaps";
  configmaps.namespaced = true;
  options.resources.push_back(configmaps);
  auto cache = start_cache(dir, server, options);
  EXPECT_FALSE(cache->wait_for_sync(Ms(500)));
  EXPECT_FALSE(cache->has_synced());
  auto status = cache->status();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].resource, "deployments.apps");
  EXPECT_TRUE(status[0].synced);
  EXPECT_EQ(status[0].objects, 1u);
  EXPECT_EQ(status[1].resource, "configmaps");
  EXPECT_FALSE(status[1].synced);
  EXPECT_NE(status[1].last_error.find("403"), std::string::npos) << status[1].last_error;
  EXPECT_GE(cache->stats().errors, 1u);
}

TEST(KubeMetadataCache, AMissFallsBackToAGetOfTheObjectsMetadata) {
  FakeApiServer server;
  server.add_deployments(1);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  // Created after the list, its event not yet arrived.
  server.add_object(kDeployments, deployment("newer", 8000, R"({"app":"newer"})"));
  EXPECT_EQ(cache->lookup("apps", "deployments", "apps", "newer"), nullptr);
  auto got = cache->get("apps", "deployments", "apps", "newer");
  ASSERT_TRUE(got.ok()) << got.error();
  ASSERT_NE(*got, nullptr);
  EXPECT_EQ((*got)->label("app"), "newer");
  EXPECT_EQ((*got)->resource_version(), "8000");
  auto gets = server.requests();
  auto get = std::find_if(gets.begin(), gets.end(), [](auto& r) { return r.path == "/apis/apps/v1/namespaces/apps/deployments/newer"; });
  ASSERT_NE(get, gets.end());
  EXPECT_EQ(get->headers["accept"], std::string(kAcceptPartialObjectMetadata));

  auto missing = cache->get("apps", "deployments", "apps", "gone");
  ASSERT_TRUE(missing.ok()) << missing.error();
  EXPECT_EQ(*missing, nullptr);
  EXPECT_FALSE(cache->get("", "secrets", "apps", "x").ok());
}

TEST(KubeMetadataCache, LookupsWhileEventsApply) {
  FakeApiServer server;
  server.add_deployments(50);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> hits{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&, t] {
      while (!done.load()) {
        for (int i = 0; i < 50; ++i) {
          auto meta = cache->lookup("apps", "deployments", "apps", "users-api-" + std::to_string((i + t) % 50));
          if (meta && !meta->label("app").value_or("").empty()) hits.fetch_add(1);
        }
        (void)cache->stats();
      }
    });
  constexpr int kEvents = 400;
  for (int i = 0; i < kEvents; ++i)
    server.push_event(kDeployments, "MODIFIED",
                      deployment("users-api-" + std::to_string(i % 50), 10000 + i, R"({"app":"v)" + std::to_string(i) + "\"}"));
  bool applied = eventually([&] { return cache->stats().events == kEvents; });
  done = true;
  for (auto& r : readers) r.join();
  ASSERT_TRUE(applied) << cache->stats().events;
  EXPECT_GT(hits.load(), 0u);
  EXPECT_EQ(label(*cache, "users-api-49", "app"), "v399");
  EXPECT_EQ(cache->stats().objects, 50u);
}

TEST(KubeMetadataCache, StopEndsAWatchPromptly) {
  FakeApiServer server;
  server.add_deployments(1);
  TempDir dir;
  auto cache = start_cache(dir, server);
  ASSERT_TRUE(cache->wait_for_sync(Ms(10'000)));
  ASSERT_TRUE(server.wait_for_watches(1, 1, Ms(10'000)));
  auto start = SteadyClock::now();
  cache->stop();
  EXPECT_LT(SteadyClock::now() - start, Ms(2'000));
  // Still readable after stop.
  EXPECT_NE(cache->lookup("apps", "deployments", "apps", "users-api-0"), nullptr);
}

TEST(KubeMetadataCache, StopDuringBackoffIsPrompt) {
  FakeApiServer server;
  server.forbid("/apis/apps/v1/deployments", "deployments", "system:serviceaccount:driftgate:driftgate");
  TempDir dir;
  MetadataCacheOptions options = cache_options();
  options.backoff_initial = Ms(30'000);
  options.backoff_max = Ms(60'000);
  auto cache = start_cache(dir, server, options);
  ASSERT_TRUE(eventually([&] { return cache->stats().errors >= 1; }));
  auto start = SteadyClock::now();
  cache.reset();
  EXPECT_LT(SteadyClock::now() - start, Ms(2'000));
}

TEST(KubeObjectMeta, HoldsOnlyWhatAGuardReads) {
  auto doc = json::parse(
      R"({"name":"n","namespace":"ns","uid":"u","resourceVersion":"7","generation":3,"labels":{"a":"1","b":"2"},)"
      R"("annotations":{"c":"3"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r","uid":"ru"},)"
      R"({"apiVersion":"x/v1","kind":"K","name":"k","uid":"ku","controller":true}],"managedFields":[{"manager":"m"}]})");
  ASSERT_TRUE(doc.ok());
  auto meta = ObjectMeta::from_metadata(doc->root);
  EXPECT_EQ(meta->name(), "n");
  EXPECT_EQ(meta->namespace_(), "ns");
  EXPECT_EQ(meta->uid(), "u");
  EXPECT_EQ(meta->resource_version(), "7");
  ASSERT_EQ(meta->label_count(), 2u);
  EXPECT_EQ(meta->label(1), std::make_pair(std::string_view("b"), std::string_view("2")));
  EXPECT_EQ(meta->label("c"), std::nullopt);
  EXPECT_EQ(meta->annotation("c"), "3");
  ASSERT_EQ(meta->owner_count(), 2u);
  EXPECT_FALSE(meta->owner(0).controller);
  EXPECT_EQ(meta->owner(1).api_version, "x/v1");
  EXPECT_TRUE(meta->owner(1).controller);
  EXPECT_LT(meta->bytes(), 400u);
}

TEST(KubeObjectMeta, LeavesOutTheAnnotationsAskedFor) {
  auto doc = json::parse(
      R"({"name":"n","namespace":"ns","annotations":{"a":"1","kubectl.kubernetes.io/last-applied-configuration":"{\"big\":1}","z":"2"}})");
  ASSERT_TRUE(doc.ok());
  MetadataCacheOptions defaults;
  auto meta = ObjectMeta::from_metadata(doc->root, defaults.drop_annotations);
  ASSERT_EQ(meta->annotation_count(), 2u);
  EXPECT_EQ(meta->annotation(0).first, "a");
  EXPECT_EQ(meta->annotation(1).first, "z");
  EXPECT_EQ(meta->annotation("kubectl.kubernetes.io/last-applied-configuration"), std::nullopt);
  EXPECT_EQ(ObjectMeta::from_metadata(doc->root)->annotation_count(), 3u);
}

}  // namespace
}  // namespace driftgate::kube
