// Kubeconfig loading as kubectl does it, the in-cluster configuration, and the
// pure pieces of the client (Status texts, the token bucket, ExecCredential parsing).
#include <gtest/gtest.h>

#include "json/yaml.h"
#include "kube/config.h"
#include "kube/credentials.h"
#include "kube/discovery.h"
#include "kube/rate_limit.h"
#include "kube/status.h"
#include "kube_test_support.h"
#include "util/base64.h"

namespace driftgate::kube {
namespace {

using testing::environment;
using testing::TempDir;

// GCC warns about designated initializers that leave members to their defaults.
ConfigOptions options(GetEnv env, std::string context = "", std::filesystem::path service_account_dir = {}) {
  ConfigOptions o;
  o.getenv = std::move(env);
  o.context = std::move(context);
  if (!service_account_dir.empty()) o.service_account_dir = std::move(service_account_dir);
  return o;
}

TEST(KubeConfig, MergesAListTheFirstFileToDefineANameWins) {
  TempDir dir;
  auto a = dir.write("a.yaml", R"(apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://prod-a.example:6443", insecure-skip-tls-verify: true}
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: apps}
users:
- name: alice
  user: {token: from-a}
)");
  auto b = dir.write("b.yaml", R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster: {server: "https://prod-b.example:6443"}
- name: staging
  cluster: {server: "https://staging.example"}
contexts:
- name: staging
  context: {cluster: staging, user: bob}
users:
- name: alice
  user: {token: from-b}
- name: bob
  user: {token: bob-token}
)");
  // current-context comes from b (a sets none); prod's cluster and user from a.
  auto config = load_config(options(environment({{"KUBECONFIG", a.string() + ":" + b.string()}})));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->context, "prod");
  EXPECT_EQ(config->server, "https://prod-a.example:6443");
  EXPECT_EQ(config->token, "from-a");
  EXPECT_EQ(config->namespace_, "apps");
  EXPECT_EQ(config->origin, "kubeconfig context prod");
  // A context only b defines, by --context.
  auto staging = load_config(options(environment({{"KUBECONFIG", a.string() + ":" + b.string()}}), "staging"));
  ASSERT_TRUE(staging.ok()) << staging.error();
  EXPECT_EQ(staging->server, "https://staging.example");
  EXPECT_EQ(staging->token, "bob-token");
  // Reversed, b's definitions win.
  auto reversed = load_kubeconfig({b, a});
  ASSERT_TRUE(reversed.ok()) << reversed.error();
  EXPECT_EQ(reversed->server, "https://prod-b.example:6443");
  EXPECT_EQ(reversed->token, "from-b");
}

TEST(KubeConfig, CurrentContextFromTheFirstFileThatSetsOne) {
  TempDir dir;
  std::string body = R"(
clusters: [{name: c, cluster: {server: "https://c"}}]
contexts: [{name: one, context: {cluster: c}}, {name: two, context: {cluster: c}}]
)";
  auto a = dir.write("a", "current-context: two\n" + body);
  auto b = dir.write("b", "current-context: one\n" + body);
  auto config = load_kubeconfig({dir.path() / "missing", a, b});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->context, "two");
}

TEST(KubeConfig, FilesMissingFromTheListAreSkippedButAnExplicitOneMustExist) {
  TempDir dir;
  auto a = dir.write("a", R"(current-context: c
clusters: [{name: c, cluster: {server: "https://c/"}}]
contexts: [{name: c, context: {cluster: c}}]
)");
  auto config = load_config(options(environment({{"KUBECONFIG", (dir.path() / "nope").string() + "::" + a.string()}})));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->server, "https://c");  // the trailing '/' dropped
  ConfigOptions explicit_file;
  explicit_file.kubeconfig = dir.path() / "nope";
  auto missing = load_config(explicit_file);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find((dir.path() / "nope").string()), std::string::npos) << missing.error();
}

TEST(KubeConfig, HomeKubeConfigThenInCluster) {
  TempDir home;
  home.write(".kube/config", R"(current-context: c
clusters: [{name: c, cluster: {server: "https://from-home"}}]
contexts: [{name: c, context: {cluster: c}}]
)");
  auto config = load_config(options(environment({{"HOME", home.path().string()}})));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->server, "https://from-home");

  TempDir empty_home, sa;
  sa.write("token", "sa-token\n");
  sa.write("ca.crt", "-----BEGIN CERTIFICATE-----\n");
  sa.write("namespace", "driftgate-system");
  auto in_cluster = load_config(options(environment({{"HOME", empty_home.path().string()},
                                                     {"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                     {"KUBERNETES_SERVICE_PORT", "443"}}),
                                        "", sa.path()));
  ASSERT_TRUE(in_cluster.ok()) << in_cluster.error();
  EXPECT_EQ(in_cluster->server, "https://10.96.0.1:443");
  EXPECT_EQ(in_cluster->token_file, sa.path() / "token");
  EXPECT_EQ(in_cluster->namespace_, "driftgate-system");
  EXPECT_EQ(in_cluster->origin, "in-cluster service account");

  auto nothing = load_config(options(environment({{"HOME", empty_home.path().string()}})));
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.error().find("no kubeconfig found"), std::string::npos) << nothing.error();
  EXPECT_NE(nothing.error().find("KUBERNETES_SERVICE_HOST is not set"), std::string::npos) << nothing.error();
}

TEST(KubeConfig, InClusterIPv6AndMissingToken) {
  TempDir sa;
  sa.write("token", "t");
  sa.write("ca.crt", "ca");
  auto config = in_cluster_config(environment({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "443"}}),
                                  sa.path());
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
  EXPECT_TRUE(config->namespace_.empty());
  std::filesystem::remove(sa.path() / "token");
  auto missing = in_cluster_config(environment({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}),
                                   sa.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("token"), std::string::npos) << missing.error();
  auto outside = in_cluster_config(environment({}), sa.path());
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

TEST(KubeConfig, RelativePathsAreRelativeToTheFileThatNamesThem) {
  TempDir dir;
  dir.write("team/certs/ca.crt", "CA PEM");
  dir.write("team/certs/client.crt", "CLIENT CERT");
  dir.write("team/certs/client.key", "CLIENT KEY");
  auto file = dir.write("team/kubeconfig", R"(current-context: prod
clusters: [{name: prod, cluster: {server: "https://10.0.0.1:6443", certificate-authority: certs/ca.crt, tls-server-name: kubernetes.default.svc}}]
contexts: [{name: prod, context: {cluster: prod, user: ci}}]
users:
- name: ci
  user:
    client-certificate: certs/client.crt
    client-key: certs/client.key
    tokenFile: secrets/token
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./bin/get-token
      args: [--cluster, prod]
      env: [{name: REGION, value: eu-west-1}]
      provideClusterInfo: true
)");
  // Loaded from another working directory: the paths still resolve against the file.
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->ca_pem, "CA PEM");
  EXPECT_EQ(config->ca_origin, "CA from kubeconfig context prod");
  EXPECT_EQ(config->client_certificate_pem, "CLIENT CERT");
  EXPECT_EQ(config->client_key_pem, "CLIENT KEY");
  EXPECT_EQ(config->tls_server_name, "kubernetes.default.svc");
  EXPECT_EQ(config->token_file, dir.path() / "team/secrets/token");
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->command, (dir.path() / "team/./bin/get-token").string());
  EXPECT_EQ(config->exec->args, (std::vector<std::string>{"--cluster", "prod"}));
  EXPECT_EQ(config->exec->interactive_mode, "IfAvailable");  // v1beta1's default
  EXPECT_TRUE(config->exec->provide_cluster_info);
  ASSERT_EQ(config->exec->env.size(), 1u);
  EXPECT_EQ(config->exec->env[0].second, "eu-west-1");
}

TEST(KubeConfig, InlineDataIsBase64AndWinsOverFiles) {
  TempDir dir;
  auto file = dir.write("config", "current-context: c\nclusters: [{name: c, cluster: {server: \"https://c\", "
                                  "certificate-authority-data: " + base64_encode("INLINE CA") +
                                  "}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: "
                                  "{client-certificate-data: " + base64_encode("INLINE CERT") +
                                  ", client-key-data: " + base64_encode("INLINE KEY") +
                                  ", client-key: does/not/exist}}]\n");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->ca_pem, "INLINE CA");
  EXPECT_EQ(config->client_certificate_pem, "INLINE CERT");
  EXPECT_EQ(config->client_key_pem, "INLINE KEY");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  EXPECT_TRUE(config->warnings.empty());
}

TEST(KubeConfig, MissingContextClusterOrUserIsNamed) {
  TempDir dir;
  auto file = dir.write("config", R"(current-context: prod
clusters: [{name: prod, cluster: {server: "https://prod"}}]
contexts:
- {name: prod, context: {cluster: prod, user: ghost}}
- {name: orphan, context: {cluster: gone, user: ghost}}
users: []
)");
  auto no_context = load_kubeconfig({file}, "staging");
  ASSERT_FALSE(no_context.ok());
  EXPECT_NE(no_context.error().find("context \"staging\" not found"), std::string::npos) << no_context.error();
  auto no_cluster = load_kubeconfig({file}, "orphan");
  ASSERT_FALSE(no_cluster.ok());
  EXPECT_NE(no_cluster.error().find("context \"orphan\" names cluster \"gone\""), std::string::npos)
      << no_cluster.error();
  auto no_user = load_kubeconfig({file});
  ASSERT_FALSE(no_user.ok());
  EXPECT_NE(no_user.error().find("context \"prod\" names user \"ghost\""), std::string::npos) << no_user.error();
  auto missing_ca = dir.write("ca", R"(current-context: p
clusters: [{name: p, cluster: {server: "https://p", certificate-authority: nope.crt}}]
contexts: [{name: p, context: {cluster: p}}]
)");
  auto ca = load_kubeconfig({missing_ca});
  ASSERT_FALSE(ca.ok());
  EXPECT_NE(ca.error().find("certificate-authority"), std::string::npos) << ca.error();
  EXPECT_NE(ca.error().find("nope.crt"), std::string::npos) << ca.error();
}

TEST(KubeConfig, NoCurrentContextAsksForOne) {
  TempDir dir;
  auto file = dir.write("config", "clusters: []\n");
  auto config = load_kubeconfig({file});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("--context"), std::string::npos) << config.error();
}

TEST(KubeConfig, InsecureSkipTlsVerifyOnlyWhenSaidAndWithAWarning) {
  TempDir dir;
  auto file = dir.write("config", R"(current-context: lab
clusters: [{name: lab, cluster: {server: "https://lab:6443", insecure-skip-tls-verify: true}}]
contexts: [{name: lab, context: {cluster: lab}}]
)");
  auto config = load_kubeconfig({file});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_NE(config->warnings[0].find("TLS is not verified for https://lab:6443"), std::string::npos);
  auto both = dir.write("both", "current-context: lab\nclusters: [{name: lab, cluster: {server: \"https://lab\", "
                                "insecure-skip-tls-verify: true, certificate-authority-data: " +
                                    base64_encode("CA") + "}}]\ncontexts: [{name: lab, context: {cluster: lab}}]\n");
  EXPECT_FALSE(load_kubeconfig({both}).ok());
}

TEST(KubeConfig, UnsupportedThingsAreErrorsNotSilence) {
  TempDir dir;
  auto with = [&](const std::string& cluster, const std::string& user) {
    return load_kubeconfig({dir.write("c", "current-context: x\nclusters: [{name: x, cluster: {server: \"https://x\"" +
                                               cluster + "}}]\ncontexts: [{name: x, context: {cluster: x, user: u}}]\n"
                                               "users: [{name: u, user: {" + user + "}}]\n")});
  };
  auto provider = with("", "auth-provider: {name: gcp}");
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.error().find("auth-provider plugins are not supported"), std::string::npos) << provider.error();
  EXPECT_NE(provider.error().find("context \"x\", user \"u\""), std::string::npos) << provider.error();
  auto proxy = with(", proxy-url: \"http://proxy:3128\"", "token: t");
  ASSERT_FALSE(proxy.ok());
  EXPECT_NE(proxy.error().find("proxy-url is not supported"), std::string::npos) << proxy.error();
  auto http = load_kubeconfig({dir.write("h", "current-context: x\nclusters: [{name: x, cluster: {server: \"http://x\"}}]\n"
                                              "contexts: [{name: x, context: {cluster: x}}]\n")});
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().find("not an https:// URL"), std::string::npos) << http.error();
  auto impersonate = with("", "token: t, as: admin");
  ASSERT_FALSE(impersonate.ok());
  EXPECT_NE(impersonate.error().find("impersonation"), std::string::npos) << impersonate.error();
  auto v1_without_mode = with("", "exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}");
  ASSERT_FALSE(v1_without_mode.ok());
  EXPECT_NE(v1_without_mode.error().find("interactiveMode must be specified"), std::string::npos);
  auto alpha = with("", "exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: aws}");
  ASSERT_FALSE(alpha.ok());
  EXPECT_NE(alpha.error().find("is not supported"), std::string::npos);
  auto numeric_token = with("", "token: 12345");
  ASSERT_FALSE(numeric_token.ok());
  EXPECT_NE(numeric_token.error().find("token must be a string"), std::string::npos) << numeric_token.error();
}

TEST(KubeConfig, SplitsTheKubeconfigListLikeKubectl) {
  auto files = split_kubeconfig_list("/a::/b:/a:");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], "/a");
  EXPECT_EQ(files[1], "/b");
}

TEST(KubeBase64, DecodesPaddedUnpaddedAndFoldedText) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8"), "hello");
  EXPECT_EQ(base64_decode("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(base64_decode(base64_encode(std::string("\0\xff\x10z", 4))), std::string("\0\xff\x10z", 4));
  EXPECT_FALSE(base64_decode("a*b=").has_value());
  EXPECT_FALSE(base64_decode("aGVsbG8=x").has_value());
}

TEST(KubeStatus, ForbiddenReadsAsTheServerSaysItWithoutTheRepeat) {
  std::string body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \"ci-bot\" cannot list resource \"secrets\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"secrets"},"code":403})";
  EXPECT_EQ(describe_error(403, body, "GET /api/v1/secrets"),
            R"(403: User "ci-bot" cannot list resource "secrets" in API group "" at the cluster scope)");
  auto status = parse_status(body);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reason, "Forbidden");
  EXPECT_EQ(status->code, 403);
  EXPECT_EQ(describe_error(404, R"({"kind":"Status","message":"the server could not find the requested resource","code":404})",
                           "GET /apis/x/v1/ys"),
            "404: the server could not find the requested resource (GET /apis/x/v1/ys)");
  EXPECT_EQ(describe_error(503, "service unavailable\n", "GET /apis/metrics.k8s.io/v1beta1"),
            "503 Service Unavailable: GET /apis/metrics.k8s.io/v1beta1: service unavailable ");
}

TEST(KubeRateLimit, BurstThenOneEveryInterval) {
  TokenBucket bucket(5, 10);
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bucket.reserve(t0).count(), 0) << i;
  EXPECT_EQ(bucket.reserve(t0), std::chrono::milliseconds(200));
  EXPECT_EQ(bucket.reserve(t0), std::chrono::milliseconds(400));
  // Two quiet seconds bring ten tokens back, less the two that were owed.
  auto t1 = t0 + std::chrono::seconds(2);
  EXPECT_EQ(bucket.reserve(t1).count(), 0);
  TokenBucket unlimited(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(unlimited.reserve(t0).count(), 0);
}

TEST(KubeExecCredential, ParsesTokenCertificateAndExpiry) {
  auto token = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"k8s-aws-v1.abc","expirationTimestamp":"2026-05-03T02:14:00Z"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_TRUE(token.ok()) << token.error();
  EXPECT_EQ(token->token, "k8s-aws-v1.abc");
  ASSERT_TRUE(token->expiration.has_value());
  EXPECT_EQ(format_rfc3339(*token->expiration), "2026-05-03T02:14:00Z");
  auto wrong_version = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}})",
      "client.authentication.k8s.io/v1");
  ASSERT_FALSE(wrong_version.ok());
  EXPECT_NE(wrong_version.error().find("v1beta1"), std::string::npos);
  EXPECT_FALSE(parse_exec_credential(R"({"apiVersion":"a","kind":"ExecCredential","status":{}})", "a").ok());
  EXPECT_FALSE(parse_exec_credential(
                   R"({"apiVersion":"a","kind":"ExecCredential","status":{"clientCertificateData":"PEM"}})", "a")
                   .ok());
  EXPECT_FALSE(parse_exec_credential("Please log in", "a").ok());
}

TEST(KubeDiscovery, ResourceListMarksSubresourcesAndTheirKindGroup) {
  auto doc = json::parse_yaml(R"(kind: APIResourceList
groupVersion: apps/v1
resources:
- {name: deployments, namespaced: true, kind: Deployment, verbs: [get, list, watch]}
- {name: deployments/scale, namespaced: true, group: autoscaling, version: v1, kind: Scale, verbs: [get, update]}
)");
  ASSERT_TRUE(doc.ok());
  auto resources = parse_resource_list(doc->root, "apps", "v1");
  ASSERT_TRUE(resources.ok()) << resources.error();
  ASSERT_EQ(resources->size(), 2u);
  EXPECT_TRUE((*resources)[0].listable());
  EXPECT_EQ((*resources)[0].group_version(), "apps/v1");
  EXPECT_TRUE((*resources)[1].subresource);
  EXPECT_FALSE((*resources)[1].listable());
  EXPECT_EQ((*resources)[1].kind_group, "autoscaling");
  EXPECT_EQ((*resources)[1].kind, "Scale");
}

}  // namespace
}  // namespace driftgate::kube
