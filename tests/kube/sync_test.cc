// kube/sync.h and Client::send against the fake API server's writable
// PolicyReports (real HTTPS on 127.0.0.1): what the scan's --write-reports
// relies on, including the limits of its conflict handling.
#include "kube/sync.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_apiserver.h"
#include "json/parse.h"
#include "kube/client.h"
#include "kube_test_support.h"
#include "test_pki.h"
#include "util/base64.h"

namespace driftgate::kube {
namespace {

using testing::FakeApiServer;
using testing::TempDir;
using testing::test_pki;

constexpr const char* kReports = "/apis/wgpolicyk8s.io/v1alpha2/policyreports";

Client connect(const TempDir& dir, const FakeApiServer& server) {
  const std::string text =
      "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: " + server.url() +
      "\n    certificate-authority-data: " + base64_encode(test_pki().ca.certificate) +
      "\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n    token: t\n";
  auto config = load_kubeconfig({dir.write("kubeconfig", text)});
  EXPECT_TRUE(config.ok()) << config.error();
  ClientOptions options;
  options.qps = 0;
  auto client = Client::create(std::move(*config), options);
  EXPECT_TRUE(client.ok()) << client.error();
  return std::move(*client);
}

std::string report(const std::string& ns, const std::string& marker) {
  return R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"driftgate","namespace":")" +
         ns + R"(","labels":{"app.kubernetes.io/managed-by":"driftgate"}},"results":[{"policy":")" + marker + R"("}]})";
}

SyncTarget namespaced() {
  return {"/apis/wgpolicyk8s.io/v1alpha2", "policyreports", true, "app.kubernetes.io/managed-by=driftgate", "", true};
}

TEST(Sync, CreatesThenReplacesWithTheResourceVersionItRead) {
  FakeApiServer server;
  server.serve_policy_reports();
  TempDir dir;
  Client client = connect(dir, server);
  auto first = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "one")}});
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->created, 1u);
  auto second = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "two")}});
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->updated, 1u);
  const auto stored = server.objects(kReports);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0].find(R"("policy":"two")"), std::string::npos) << stored[0];
  // The PUT carried the resourceVersion the POST's object got.
  for (const auto& r : server.requests())
    if (r.method == "PUT") {
      EXPECT_EQ(r.path, "/apis/wgpolicyk8s.io/v1alpha2/namespaces/a/policyreports/driftgate");
      EXPECT_EQ(r.headers.at("content-type"), "application/json");
    }
}

TEST(Sync, AConflictEveryTimeGivesUpAfterThreeTriesNamingTheRequestAndTheServersMessage) {
  FakeApiServer server;
  server.serve_policy_reports();
  TempDir dir;
  Client client = connect(dir, server);
  ASSERT_TRUE(sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "one")}}).ok());
  server.change_before_next_puts(10);
  auto result = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "two")}});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("409"), std::string::npos) << result.error();
  EXPECT_NE(result.error().find("the object has been modified"), std::string::npos) << result.error();
  std::size_t puts = 0;
  for (const auto& r : server.requests()) puts += r.method == "PUT";
  EXPECT_EQ(puts, 3u);
}

TEST(Sync, StaleOwnedObjectsAreDeletedOthersAndOtherNamespacesAreNot) {
  FakeApiServer server;
  server.serve_policy_reports();
  server.add_object(kReports, R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"x","namespace":"b","resourceVersion":"3","labels":{"app.kubernetes.io/managed-by":"kyverno"}}})");
  TempDir dir;
  Client client = connect(dir, server);
  ASSERT_TRUE(sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "1")}, {"b", "driftgate", report("b", "1")}}).ok());
  // Only namespace b is in scope: a's report stays although it is not in the set.
  SyncTarget only_b = namespaced();
  only_b.only_namespace = "b";
  auto b = sync_objects(client, only_b, {});
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(b->deleted, 1u);
  // Without delete_stale nothing goes.
  SyncTarget keep = namespaced();
  keep.delete_stale = false;
  auto kept = sync_objects(client, keep, {});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->deleted, 0u);
  auto all = sync_objects(client, namespaced(), {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->deleted, 1u);
  const auto left = server.objects(kReports);
  ASSERT_EQ(left.size(), 1u);  // kyverno's
  EXPECT_NE(left[0].find("kyverno"), std::string::npos);
}

// Found by review: a create that met a report of the same name the labelled LIST did
// not show (someone else's `driftgate` report) read its resourceVersion and replaced
// it. An object without driftgate's label is never replaced.
TEST(Sync, AnObjectOfTheSameNameDriftgateDidNotWriteIsNotReplaced) {
  FakeApiServer server;
  server.serve_policy_reports();
  server.add_object(kReports, R"({"apiVersion":"wgpolicyk8s.io/v1alpha2","kind":"PolicyReport","metadata":{"name":"driftgate","namespace":"a","resourceVersion":"7","labels":{"team":"mine"}},"results":[{"policy":"theirs"}]})");
  TempDir dir;
  Client client = connect(dir, server);
  auto result = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "ours")}});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("exists without the label app.kubernetes.io/managed-by=driftgate"), std::string::npos)
      << result.error();
  const auto stored = server.objects(kReports);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0].find(R"("policy":"theirs")"), std::string::npos) << stored[0];
  for (const auto& r : server.requests()) EXPECT_NE(r.method, "PUT") << r.path;
}

TEST(Sync, ARefusedWriteIsAnErrorWithTheStatusMessage) {
  FakeApiServer server;
  server.serve_policy_reports();
  server.forbid("/apis/wgpolicyk8s.io/v1alpha2/namespaces/a/policyreports", "policyreports", "scan");
  TempDir dir;
  Client client = connect(dir, server);
  auto result = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "1")}});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("403"), std::string::npos) << result.error();
}

TEST(Sync, ANamespaceDeletedSinceTheScanIsSkippedAndTheOtherReportsAreStillWritten) {
  // An ephemeral namespace (a preview environment) deleted during a long scan:
  // its report cannot be created, which must not leave every later namespace's
  // report unwritten and the stale ones undeleted.
  FakeApiServer server;
  server.serve_policy_reports();
  TempDir dir;
  Client client = connect(dir, server);
  ASSERT_TRUE(sync_objects(client, namespaced(), {{"c", "driftgate", report("c", "1")}}).ok());
  server.delete_namespace("a");
  auto result = sync_objects(client, namespaced(), {{"a", "driftgate", report("a", "1")}, {"b", "driftgate", report("b", "1")}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->created, 1u);
  EXPECT_EQ(result->skipped, 1u);
  EXPECT_EQ(result->deleted, 1u) << "c's report, stale";
  const auto stored = server.objects("/apis/wgpolicyk8s.io/v1alpha2/policyreports");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0].find(R"("namespace":"b")"), std::string::npos) << stored[0];
}

TEST(Sync, WithResourceVersionSetsOrReplacesItAndKeepsEverythingElse) {
  EXPECT_EQ(with_resource_version(R"({"kind":"X","metadata":{"name":"n","resourceVersion":"1","labels":{"a":"b"}},"spec":[1]})", "7"),
            R"({"kind":"X","metadata":{"name":"n","labels":{"a":"b"},"resourceVersion":"7"},"spec":[1]})");
  EXPECT_EQ(with_resource_version(R"({"kind":"X"})", "7"), R"({"kind":"X","metadata":{"resourceVersion":"7"}})");
  EXPECT_EQ(with_resource_version(R"({"kind":"X","metadata":{"name":"n"}})", ""), R"({"kind":"X","metadata":{"name":"n"}})");
}

}  // namespace
}  // namespace driftgate::kube
