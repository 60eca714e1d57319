// The client against a fake API server speaking real HTTPS on 127.0.0.1:
// authentication, TLS errors, discovery, pagination, 410 restarts, 429,
// rate limits and keep-alive.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <fstream>
#include <set>

#include "fake_apiserver.h"
#include "json/parse.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/list.h"
#include "kube_test_support.h"
#include "test_pki.h"
#include "util/base64.h"

namespace driftgate::kube {
namespace {

using testing::FakeApiServer;
using testing::TempDir;
using testing::test_pki;
using Ms = std::chrono::milliseconds;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A kubeconfig for context "prod" pointing at the fake server, trusting the test CA.
std::string kubeconfig(const std::string& server, const std::string& user, const std::string& cluster_extra = "",
                       const std::string& ca_pem = test_pki().ca.certificate) {
  std::string ca = ca_pem.empty() ? "" : "\n    certificate-authority-data: " + base64_encode(ca_pem);
  return "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: " + server +
         ca + cluster_extra + "\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\nusers:\n- name: ci\n  user:\n" +
         user + "\n";
}

Config load(const TempDir& dir, const std::string& text) {
  auto config = load_kubeconfig({dir.write("kubeconfig", text)});
  EXPECT_TRUE(config.ok()) << config.error();
  return config.ok() ? std::move(*config) : Config{};
}

Client connect(Config config, ClientOptions options = {}) {
  auto client = Client::create(std::move(config), std::move(options));
  EXPECT_TRUE(client.ok()) << client.error();
  if (!client.ok()) std::abort();
  return std::move(*client);
}

// GCC warns about designated initializers that leave members to their defaults.
ListOptions paged(std::size_t limit, std::string namespace_ = "", bool metadata_only = false) {
  ListOptions o;
  o.limit = limit;
  o.namespace_ = std::move(namespace_);
  o.metadata_only = metadata_only;
  return o;
}

ApiResource resource(std::string group, std::string kind, std::string name) {
  ApiResource r;
  r.group = std::move(group);
  r.version = "v1";
  r.kind = std::move(kind);
  r.name = std::move(name);
  r.namespaced = true;
  r.verbs = {"list"};
  return r;
}

ApiResource configmaps() {
  ApiResource r;
  r.version = "v1";
  r.kind = "ConfigMap";
  r.name = "configmaps";
  r.namespaced = true;
  r.verbs = {"list"};
  return r;
}

// A loopback port nothing listens on.
unsigned short closed_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(KubeClient, BearerTokenIsSentAndKeepAliveReusesOneConnection) {
  FakeApiServer server;
  server.require_token("s3cret");
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: s3cret")));
  for (int i = 0; i < 3; ++i) {
    auto doc = client.get_json("/api");
    ASSERT_TRUE(doc.ok()) << doc.error();
    EXPECT_EQ(doc->root.string_at("kind"), "APIVersions");
  }
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer s3cret");
  EXPECT_EQ(requests[0].headers["user-agent"], "driftgate");
  EXPECT_EQ(requests[0].headers["host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(client.stats().connections, 1u);
}

TEST(KubeClient, WrongTokenIsA401WithTheServersWords) {
  FakeApiServer server;
  server.require_token("s3cret");
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: wrong")));
  auto doc = client.get_json("/api");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "401: Unauthorized (GET /api)");
}

TEST(KubeClient, ReconnectsWhenTheServerClosesTheConnection) {
  FakeApiServer server;
  server.close_after_each_response(true);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.get_json("/api").ok());
  EXPECT_EQ(server.connections(), 3u);
}

TEST(KubeClient, ResendsOnANewConnectionWhenAKeptAliveOneWasDropped) {
  FakeApiServer server;
  server.drop_connections_silently(true);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  for (int i = 0; i < 3; ++i) {
    auto doc = client.get_json("/api");
    ASSERT_TRUE(doc.ok()) << i << ": " << doc.error();
  }
  EXPECT_EQ(server.connections(), 3u);
  EXPECT_EQ(client.stats().connections, 3u);
}

TEST(KubeClient, TokenFileIsReadAndReReadWhenItRotates) {
  FakeApiServer server;
  TempDir dir;
  auto token = dir.write("token", "first-token\n");
  server.require_token("first-token");
  Client client = connect(load(dir, kubeconfig(server.url(), "    tokenFile: token")));
  ASSERT_TRUE(client.get_json("/api").ok());
  // The kubelet replaces projected tokens atomically (a new file renamed in place).
  dir.write("token.new", "second-token\n");
  std::filesystem::rename(dir.path() / "token.new", token);
  server.require_token("second-token");
  auto doc = client.get_json("/api");
  ASSERT_TRUE(doc.ok()) << doc.error();
  auto requests = server.requests();
  EXPECT_EQ(requests.back().headers["authorization"], "Bearer second-token");
}

TEST(KubeClient, InClusterServiceAccountWithTokenRotation) {
  FakeApiServer server;
  TempDir sa;
  sa.write("token", "sa-token-1");
  sa.write("ca.crt", test_pki().ca.certificate);
  sa.write("namespace", "driftgate-system");
  auto config = in_cluster_config(testing::environment({{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                                                        {"KUBERNETES_SERVICE_PORT", std::to_string(server.port())}}),
                                  sa.path());
  ASSERT_TRUE(config.ok()) << config.error();
  Client client = connect(std::move(*config));
  server.require_token("sa-token-1");
  ASSERT_TRUE(client.get_json("/api").ok());
  sa.write("token.tmp", "sa-token-2");
  std::filesystem::rename(sa.path() / "token.tmp", sa.path() / "token");
  server.require_token("sa-token-2");
  auto doc = client.get_json("/api");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(server.requests().back().headers["authorization"], "Bearer sa-token-2");
  EXPECT_EQ(client.config().namespace_, "driftgate-system");
}

TEST(KubeClient, ClientCertificateIsPresented) {
  testing::FakeOptions fake;
  fake.require_client_certificate = true;
  FakeApiServer server(fake);
  TempDir dir;
  dir.write("ci.crt", test_pki().client.certificate);
  dir.write("ci.key", test_pki().client.key);
  Client client = connect(load(dir, kubeconfig(server.url(), "    client-certificate: ci.crt\n    client-key: ci.key")));
  auto doc = client.get_json("/api/v1");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE(server.requests()[0].headers.count("authorization") == 0);

  Client without = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto refused = without.get_json("/api/v1");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error(), "requires a client certificate")) << refused.error();
}

TEST(KubeClient, ExecPluginRunsOnceWhileValidAndAgainAfterExpiry) {
  FakeApiServer server;
  server.require_token("exec-token");
  TempDir dir;
  auto count = dir.path() / "count";
  auto info = dir.path() / "info";
  std::string user = std::string("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ") +
                     KUBE_TEST_DIR + "/exec-plugin.sh\n      interactiveMode: Never\n      provideClusterInfo: true\n"
                     "      env:\n      - {name: DG_EXEC_COUNT, value: " + count.string() + "}\n"
                     "      - {name: DG_EXEC_INFO, value: " + info.string() + "}\n"
                     "      - {name: DG_EXEC_API, value: client.authentication.k8s.io/v1}\n"
                     "      - {name: DG_EXEC_TOKEN, value: exec-token}\n"
                     "      - {name: DG_EXEC_EXPIRY, value: \"2030-01-01T00:00:00Z\"}";
  auto now = std::make_shared<TimePoint>(*parse_rfc3339("2029-12-31T23:00:00Z"));
  ClientOptions options;
  options.now = [now] { return *now; };
  Client client = connect(load(dir, kubeconfig(server.url(), user)), options);
  auto runs = [&] {
    std::ifstream in(count);
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  };
  ASSERT_TRUE(client.get_json("/api").ok());
  ASSERT_TRUE(client.get_json("/api/v1").ok());
  *now = *parse_rfc3339("2029-12-31T23:59:59Z");
  ASSERT_TRUE(client.get_json("/api").ok());
  EXPECT_EQ(runs(), 1);
  *now = *parse_rfc3339("2030-01-01T00:00:01Z");
  ASSERT_TRUE(client.get_json("/api").ok());
  EXPECT_EQ(runs(), 2);
  EXPECT_EQ(client.stats().exec_runs, 2);
  for (const auto& r : server.requests()) EXPECT_EQ(r.headers.at("authorization"), "Bearer exec-token");

  // KUBERNETES_EXEC_INFO as kubectl sets it, with the cluster (provideClusterInfo).
  std::ifstream in(info);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto doc = json::parse(text);
  ASSERT_TRUE(doc.ok()) << text;
  EXPECT_EQ(doc->root.string_at("kind"), "ExecCredential");
  EXPECT_EQ(doc->root.string_at("apiVersion"), "client.authentication.k8s.io/v1");
  const json::Value* spec = doc->root.find("spec");
  ASSERT_NE(spec, nullptr);
  EXPECT_FALSE(spec->find("interactive")->as_bool());
  EXPECT_EQ(spec->find("cluster")->string_at("server"), server.url());
  EXPECT_EQ(base64_decode(spec->find("cluster")->string_at("certificate-authority-data")), test_pki().ca.certificate);
}

TEST(KubeClient, FailingExecPluginNamesTheCommandAndItsFirstStderrLine) {
  FakeApiServer server;
  TempDir dir;
  std::string user = std::string("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ") +
                     KUBE_TEST_DIR + "/exec-plugin.sh\n      env:\n"
                     "      - {name: DG_EXEC_COUNT, value: " + (dir.path() / "count").string() + "}\n"
                     "      - {name: DG_EXEC_INFO, value: " + (dir.path() / "info").string() + "}\n"
                     "      - {name: DG_EXEC_FAIL, value: \"1\"}";
  Client client = connect(load(dir, kubeconfig(server.url(), user)));
  auto doc = client.get_json("/api");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "exec plugin \"" + std::string(KUBE_TEST_DIR) +
                             "/exec-plugin.sh\" (kubeconfig context prod) failed (exit status 255): error: the SSO "
                             "session has expired; run 'aws sso login' first");
  EXPECT_TRUE(server.requests().empty());

  std::string missing = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: "
                        "driftgate-no-such-plugin\n      installHint: install it with apt-get install nothing";
  Client none = connect(load(dir, kubeconfig(server.url(), missing)));
  auto not_found = none.get_json("/api");
  ASSERT_FALSE(not_found.ok());
  EXPECT_TRUE(contains(not_found.error(), "\"driftgate-no-such-plugin\"")) << not_found.error();
  EXPECT_TRUE(contains(not_found.error(), "No such file or directory; install it with")) << not_found.error();
}

TEST(KubeClient, UnreachableServerSaysSo) {
  unsigned short port = closed_port();
  TempDir dir;
  std::string url = "https://127.0.0.1:" + std::to_string(port);
  Client client = connect(load(dir, kubeconfig(url, "    token: t")));
  auto doc = client.get_json("/api");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "cannot reach " + url + ": connection refused");
}

TEST(KubeClient, WrongCaNamesWhereTheCaCameFrom) {
  FakeApiServer server;
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t", "", test_pki().other_ca.certificate)));
  auto doc = client.get_json("/api");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(),
            server.url() + ": x509: certificate signed by unknown authority (CA from kubeconfig context prod)");

  // No CA in the kubeconfig: the system's, which do not know the test CA.
  Client system = connect(load(dir, kubeconfig(server.url(), "    token: t", "", "")));
  auto untrusted = system.get_json("/api");
  ASSERT_FALSE(untrusted.ok());
  EXPECT_TRUE(contains(untrusted.error(), "x509: certificate signed by unknown authority (system CAs, kubeconfig context prod)"))
      << untrusted.error();
}

TEST(KubeClient, TlsServerNameIsCheckedAndInsecureSkipVerifyWorks) {
  FakeApiServer server;
  TempDir dir;
  Client named = connect(load(dir, kubeconfig(server.url(), "    token: t", "\n    tls-server-name: kubernetes.default.svc")));
  auto ok = named.get_json("/api");
  EXPECT_TRUE(ok.ok()) << ok.error();
  Client wrong = connect(load(dir, kubeconfig(server.url(), "    token: t", "\n    tls-server-name: api.other.example")));
  auto mismatch = wrong.get_json("/api");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_TRUE(contains(mismatch.error(), "x509: certificate is not valid for api.other.example")) << mismatch.error();
  Config insecure = load(dir, kubeconfig(server.url(), "    token: t", "\n    insecure-skip-tls-verify: true", ""));
  EXPECT_EQ(insecure.warnings.size(), 1u);
  Client unverified = connect(std::move(insecure));
  auto through = unverified.get_json("/api");
  EXPECT_TRUE(through.ok()) << through.error();
}

TEST(KubeClient, ACertificateWithoutTheUrlsHostIsRefused) {
  // Signed by the trusted CA, valid for localhost only; the URL names 127.0.0.1.
  testing::FakeOptions options;
  options.certificate_for_localhost_only = true;
  FakeApiServer server(options);
  TempDir dir;
  Client by_ip = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto refused = by_ip.get_json("/api");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), server.url() +
                                 ": x509: certificate is not valid for 127.0.0.1 (set tls-server-name in the "
                                 "kubeconfig if the server is reached by another name)")
      << refused.error();
  EXPECT_TRUE(server.requests().empty());
  // The same certificate is good for the name it carries.
  Client by_name = connect(load(dir, kubeconfig(server.url(), "    token: t", "\n    tls-server-name: localhost")));
  auto accepted = by_name.get_json("/api");
  EXPECT_TRUE(accepted.ok()) << accepted.error();
}

TEST(KubeClient, AServerThatSpeaksOnlyTls11IsRefused) {
  testing::FakeOptions options;
  options.only_tls_1_1 = true;
  FakeApiServer server(options);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto refused = client.get_json("/api");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), server.url() +
                                 ": TLS handshake failed: the server speaks neither TLS 1.2 nor TLS 1.3 (tlsv1 alert "
                                 "protocol version)");
  EXPECT_TRUE(server.requests().empty());
}

TEST(KubeClient, AnAnswerAboveMaxResponseBytesIsAnErrorNamingTheLimit) {
  EXPECT_EQ(ClientOptions{}.max_response_bytes, std::size_t{64} << 20);
  FakeApiServer server;
  server.add_configmaps(200);  // a page of 200 ConfigMaps with their managedFields: well above 64 KiB
  TempDir dir;
  ClientOptions small;
  small.max_response_bytes = 64 << 10;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")), small);
  auto big = client.get("/api/v1/configmaps?limit=200");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error(), "GET /api/v1/configmaps?limit=200 on " + server.url() +
                             ": answer larger than 65536 bytes (64 KiB) (ClientOptions::max_response_bytes)");
  Pager pager(client, configmaps(), paged(200));
  auto page = pager.next();
  ASSERT_FALSE(page.ok());
  EXPECT_TRUE(contains(page.error(), "answer larger than 65536 bytes (64 KiB) (ClientOptions::max_response_bytes)"))
      << page.error();
  // The connection is not left half-read: the next, small answer comes through.
  auto after = client.get_json("/api");
  EXPECT_TRUE(after.ok()) << after.error();
  Pager small_pages(client, configmaps(), paged(10));
  auto first = small_pages.next();
  EXPECT_TRUE(first.ok()) << first.error();
}

TEST(KubeDiscovery, EveryResourceFromThePreferredVersionsAndFailuresBeside) {
  FakeApiServer server;
  server.break_metrics_group(true);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto discovery = discover(client);
  ASSERT_TRUE(discovery.ok()) << discovery.error();
  const ApiResource* scale = discovery->find("apps", "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_TRUE(scale->subresource);
  EXPECT_EQ(scale->kind, "Scale");
  EXPECT_EQ(scale->kind_group, "autoscaling");
  const ApiResource* deployments = discovery->find("apps", "deployments");
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ(deployments->kind, "Deployment");
  EXPECT_TRUE(deployments->namespaced);
  EXPECT_EQ(deployments->group_version(), "apps/v1");
  const ApiResource* namespaces = discovery->find("", "namespaces");
  ASSERT_NE(namespaces, nullptr);
  EXPECT_FALSE(namespaces->namespaced);
  const ApiResource* hpa = discovery->find("autoscaling", "horizontalpodautoscalers");
  ASSERT_NE(hpa, nullptr);
  EXPECT_EQ(hpa->version, "v2");  // the preferred version, not v1

  std::set<std::string> listable;
  for (const auto& r : discovery->listable()) listable.insert(r.group.empty() ? r.name : r.name + "." + r.group);
  EXPECT_EQ(listable, (std::set<std::string>{"configmaps", "namespaces", "pods", "secrets", "deployments.apps",
                                             "statefulsets.apps", "horizontalpodautoscalers.autoscaling"}));
  ASSERT_EQ(discovery->failures.size(), 1u);
  EXPECT_EQ(discovery->failures[0],
            "metrics.k8s.io/v1beta1: 503 Service Unavailable: GET /apis/metrics.k8s.io/v1beta1: service unavailable ");
  for (const auto& r : server.requests()) EXPECT_NE(r.path, "/apis/autoscaling/v1");
}

TEST(KubeList, PaginatesLikeTheApiServer) {
  FakeApiServer server;
  server.add_configmaps(25);
  server.add_configmaps(3, "other");
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  Pager pager(client, configmaps(), paged(10));
  std::vector<std::string> names;
  std::vector<std::optional<std::int64_t>> remaining;
  for (;;) {
    auto page = pager.next();
    ASSERT_TRUE(page.ok()) << page.error();
    if (!*page) break;
    EXPECT_EQ((*page)->document.root.string_at("kind"), "ConfigMapList");
    EXPECT_EQ((*page)->resource_version, "4711");
    remaining.push_back((*page)->remaining_item_count);
    for (const auto& item : (*page)->items()) names.emplace_back(item.find("metadata")->string_at("name"));
  }
  EXPECT_EQ(names.size(), 28u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 28u - 3u);  // app-config-0..2 in two namespaces
  EXPECT_EQ(remaining, (std::vector<std::optional<std::int64_t>>{18, 8, std::nullopt}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target, "/api/v1/configmaps?limit=10");
  EXPECT_EQ(requests[1].query["limit"], "10");
  EXPECT_FALSE(requests[1].query["continue"].empty());
  EXPECT_EQ(requests[0].headers["accept"], "application/json");
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(pager.restarts(), 0);

  // One namespace.
  auto summary = list_pages(client, configmaps(), paged(2, "other"), [](const Page&) { return true; });
  ASSERT_TRUE(summary.ok()) << summary.error();
  EXPECT_EQ(summary->items, 3u);
  EXPECT_EQ(summary->pages, 2u);
  EXPECT_EQ(server.requests().back().path, "/api/v1/namespaces/other/configmaps");
}

TEST(KubeList, AnExpiredContinueTokenRestartsTheResourceOnceAndSaysSo) {
  FakeApiServer server;
  server.add_configmaps(25);
  server.expire_continue_tokens(1);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  std::vector<bool> restarted;
  auto summary = list_pages(client, configmaps(), paged(10), [&](const Page& page) {
    restarted.push_back(page.restarted);
    return true;
  });
  ASSERT_TRUE(summary.ok()) << summary.error();
  EXPECT_EQ(restarted, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(summary->items, 10u + 25u);
  EXPECT_EQ(summary->restarts, 1);
  ASSERT_EQ(summary->notes.size(), 1u);
  EXPECT_EQ(summary->notes[0],
            "list configmaps: the continue token expired after 1 page (410 Gone); listed again from the beginning");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);  // page, 410, page, page, page
  EXPECT_EQ(requests[2].query.count("continue"), 0u);
}

TEST(KubeList, ASecondExpiryIsAnError) {
  FakeApiServer server;
  server.add_configmaps(25);
  server.expire_continue_tokens(2);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto summary = list_pages(client, configmaps(), paged(10), [](const Page&) { return true; });
  ASSERT_FALSE(summary.ok());
  EXPECT_TRUE(contains(summary.error(), "list configmaps: 410: The provided continue parameter is too old"))
      << summary.error();
  EXPECT_TRUE(contains(summary.error(), "expired again after one restart")) << summary.error();
}

TEST(KubeList, MetadataOnlyAsksForPartialObjectMetadataList) {
  FakeApiServer server;
  server.add_deployments(3);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  Pager pager(client, resource("apps", "Deployment", "deployments"), paged(500, "", true));
  auto page = pager.next();
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_TRUE(page->has_value());
  EXPECT_EQ((*page)->document.root.string_at("kind"), "PartialObjectMetadataList");
  ASSERT_EQ((*page)->items().size(), 3u);
  const json::Value& item = (*page)->items()[0];
  EXPECT_EQ(item.find("spec"), nullptr);
  ASSERT_NE(item.find("metadata"), nullptr);
  EXPECT_EQ(item.find("metadata")->find("managedFields")->size(), 2u);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/apis/apps/v1/deployments");
  EXPECT_EQ(requests[0].headers["accept"], std::string(kAcceptPartialObjectMetadataList));
  auto end = pager.next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(KubeList, ForbiddenResourceReadsAsTheApiServerSaysIt) {
  FakeApiServer server;
  server.forbid("/api/v1/secrets", "secrets", "ci-bot");
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto summary = list_pages(client, resource("", "Secret", "secrets"), ListOptions{}, [](const Page&) { return true; });
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error(),
            R"(list secrets: 403: User "ci-bot" cannot list resource "secrets" in API group "" at the cluster scope)");
}

TEST(KubeClient, TooManyRequestsWaitsForRetryAfter) {
  FakeApiServer server;
  server.throttle(1, 1);
  TempDir dir;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")));
  auto start = std::chrono::steady_clock::now();
  auto doc = client.get_json("/api");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_GE(elapsed, Ms(950));
  EXPECT_LT(elapsed, Ms(5000));
  EXPECT_EQ(client.stats().retries, 1u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(KubeClient, TooManyRequestsGivesUpAfterTheRetryBudget) {
  FakeApiServer server;
  server.throttle(100, 0);
  TempDir dir;
  ClientOptions options;
  options.max_retries = 3;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")), options);
  auto doc = client.get_json("/api");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "429: Too many requests, please try again later. (GET /api): gave up after 3 retries");
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(KubeClient, RateLimitLetsABurstThroughThenSpacesRequests) {
  FakeApiServer server;
  TempDir dir;
  ClientOptions options;
  options.qps = 20;  // one request every 50 ms after the burst
  options.burst = 5;
  Client client = connect(load(dir, kubeconfig(server.url(), "    token: t")), options);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::chrono::steady_clock::duration> at;
  std::chrono::nanoseconds throttled_in_burst{};
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(client.get("/api").ok());
    at.push_back(std::chrono::steady_clock::now() - start);
    if (i == 4) throttled_in_burst = client.stats().throttled;
  }
  // The burst of 5 waits nothing for the limiter. Asserted on the limiter's own
  // account, not on the wall clock: on a loaded machine (CI under ASan, other
  // builds) five TLS requests may take any time, which only adds tokens.
  EXPECT_EQ(throttled_in_burst, std::chrono::nanoseconds{0});
  // The next 10 are spaced: at least 10 x 50 ms, less a little for the clock. (How
  // much of that the limiter itself waited depends on how long the requests took, so
  // its account is not asserted; on loopback they take about a millisecond each and
  // the bound holds only if the limiter spaced them.)
  EXPECT_GE(at[14], Ms(450));
}

}  // namespace
}  // namespace driftgate::kube
