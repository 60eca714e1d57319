// The command-line contract users and CI scripts rely on: exit codes, the shape of
// errors, the summary line, and the generated webhook registration.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using Run = driftgate::cli_testing::CommandResult;

// `redirect` decides what `output` holds: stdout and stderr by default.
Run run(const std::string& args, const std::string& redirect = "2>&1") {
  return driftgate::cli_testing::run_command(std::string(DRIFTGATE_BINARY) + " " + args + " " + redirect);
}

// Standard error alone, for what a command says is wrong with its command line.
Run run_for_stderr(const std::string& args) { return run(args, "2>&1 >/dev/null"); }

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("driftgate-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

const std::string kPolicy = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: no-latest}
spec:
  match: {kinds: [Pod], excludeSubjects: {users: ["system:serviceaccount:flux-system:*"]}}
  rules:
    - name: tag
      pattern: {path: "spec.containers[*].image", regex: ":latest$", negate: true}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: pdb}
spec:
  match: {kinds: [policy/PodDisruptionBudget, helm.toolkit.fluxcd.io/HelmRelease]}
  rules:
    - name: one-of
      exclusive: {at: spec, fields: [minAvailable, maxUnavailable]}
)";

std::string pod_review(const std::string& image) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","kind":{"group":"","version":"v1","kind":"Pod"},)"
         R"("operation":"CREATE","userInfo":{"username":"alice"},"namespace":"n","name":"p",)"
         R"("object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":")" +
         image + R"("}]}}}})";
}

TEST(CheckCommand, ReportsEveryErrorWithFileLineAndColumnAndExits1) {
  TempDir dir;
  dir.write("bad.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: broken}
spec:
  mode: Enforse
  rules:
    - name: r
      pattern: {path: "spec.[", regex: "("}
)");
  auto r = run("check " + dir.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:5:9: policy \"broken\": spec.mode: unknown mode \"Enforse\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:8:23: policy \"broken\": spec.rules[0].pattern.path: invalid path"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("invalid RE2 regex"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3 errors"), std::string::npos) << r.output;
}

TEST(CheckCommand, CleanSetExits0) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  auto r = run("check " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 policies"), std::string::npos) << r.output;
}

TEST(EvalCommand, ExitCodesAreZeroAllowedThreeDeniedTwoBadInput) {
  TempDir dir;
  dir.write("policies/p.yaml", kPolicy);
  auto ok = dir.write("ok.json", pod_review("nginx:1.27"));
  auto bad = dir.write("bad.json", pod_review("nginx:latest"));
  auto broken = dir.write("broken.json", "{\"apiVersion\": ");
  std::string policies = "--policies " + dir.str() + "/policies ";
  auto allowed = run("eval " + policies + ok.string());
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("\"allowed\":true"), std::string::npos);
  auto denied = run("eval " + policies + ok.string() + " " + bad.string());
  EXPECT_EQ(denied.exit_code, 3) << denied.output;
  EXPECT_NE(denied.output.find("no-latest/tag: spec.containers[0].image must not match :latest$"), std::string::npos)
      << denied.output;
  auto malformed = run("eval " + policies + broken.string());
  EXPECT_EQ(malformed.exit_code, 2) << malformed.output;
  EXPECT_NE(malformed.output.find("malformed JSON"), std::string::npos) << malformed.output;
  EXPECT_EQ(run("eval " + policies + "--now yesterday " + ok.string()).exit_code, 2);
}

TEST(EvalCommand, AcceptsYamlReviewsAndPrintsTheAuditLineOnRequest) {
  TempDir dir;
  dir.write("policies/p.yaml", kPolicy);
  auto review = dir.write("r.yaml", R"(apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  uid: y-1
  kind: {group: "", version: v1, kind: Pod}
  operation: CREATE
  userInfo: {username: alice}
  object: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: "nginx:latest"}]}}
)");
  auto r = run("eval --audit --policies " + dir.str() + "/policies " + review.string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("{\"type\":\"decision\""), std::string::npos) << r.output;
}

// Issue 11, item 4: a YAML file with several reviews was judged by its first
// document only, and exited 0 when a later one would be denied: a silent pass in CI.
TEST(EvalCommand, EveryDocumentOfAMultiDocumentFileIsJudgedAndNamed) {
  TempDir dir;
  dir.write("policies/p.yaml", kPolicy);
  auto reviews = dir.write("two.yaml", "# an allowed Pod, then a denied one\n" + pod_review("nginx:1.27") + "\n---\n" +
                                           pod_review("nginx:latest") + "\n");
  const std::string policies = "--policies " + dir.str() + "/policies ";
  auto out = run("eval " + policies + reviews.string(), "2>/dev/null");
  EXPECT_EQ(out.exit_code, 3) << out.output;
  // stdout stays one AdmissionReview response per line, for jq.
  std::istringstream lines(out.output);
  std::vector<std::string> responses;
  for (std::string line; std::getline(lines, line);) responses.push_back(line);
  ASSERT_EQ(responses.size(), 2u) << out.output;
  EXPECT_NE(responses[0].find("\"allowed\":true"), std::string::npos) << responses[0];
  EXPECT_NE(responses[1].find("\"allowed\":false"), std::string::npos) << responses[1];
  // stderr names file, line and document of each response.
  auto err = run_for_stderr("eval " + policies + reviews.string());
  EXPECT_NE(err.output.find(reviews.string() + ":2: document 1: allowed\n"), std::string::npos) << err.output;
  EXPECT_NE(err.output.find(reviews.string() + ":4: document 2: denied: no-latest/tag: spec.containers[0].image"),
            std::string::npos)
      << err.output;
  // The same from standard input.
  auto piped = run("eval " + policies + "- < " + reviews.string());
  EXPECT_EQ(piped.exit_code, 3) << piped.output;
  EXPECT_NE(piped.output.find("<stdin>:4: document 2: denied"), std::string::npos) << piped.output;
}

TEST(EvalCommand, APlainManifestIsPointedToScan) {
  TempDir dir;
  dir.write("policies/p.yaml", kPolicy);
  auto manifest = dir.write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
  auto r = run_for_stderr("eval --policies " + dir.str() + "/policies " + manifest.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(manifest.string() + ":1: document 1: a Kubernetes object (apps/v1 Deployment), not an "
                          "AdmissionReview; judge manifests with `driftgate scan --manifests " +
                          manifest.string()),
            std::string::npos)
      << r.output;
}

TEST(TestCommand, EndsWithTheSummaryLineAndFailsOnAFailingCase) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  dir.write("t.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: t}
spec:
  cases:
    - name: latest is refused
      request:
        object: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: n}, spec: {containers: [{name: a, image: "x:latest"}]}}
      expect: {allowed: false, message: ["spec.containers[0].image"], violations: [no-latest/tag]}
    - name: the controller is exempt
      request:
        userInfo: {username: "system:serviceaccount:flux-system:kustomize-controller"}
        object: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: n}, spec: {containers: [{name: a, image: "x:latest"}]}}
      expect: {allowed: true, violations: []}
    - name: a wrong expectation fails
      request:
        object: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: "x:1"}]}}
      expect: {allowed: false}
)");
  auto r = run("test " + dir.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL  a wrong expectation fails"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\n2 passed, 1 failed\n"), std::string::npos) << r.output;
}

TEST(WebhookConfigCommand, NarrowsRulesAndSkipsExcludedSubjects) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  auto r = run("webhook-config --policies " + dir.str());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto docs = YAML::LoadAll(r.output);
  ASSERT_EQ(docs.size(), 1u) << "no policy mutates, so no MutatingWebhookConfiguration:\n" << r.output;
  const YAML::Node& config = docs[0];
  EXPECT_EQ(config["kind"].as<std::string>(), "ValidatingWebhookConfiguration");
  const YAML::Node& webhooks = config["webhooks"];
  ASSERT_EQ(webhooks.size(), 2u) << r.output;
  // The group with excluded subjects: only Pods, and Flux's controllers never call it.
  const YAML::Node& guard = webhooks[0];
  EXPECT_EQ(guard["name"].as<std::string>(), "no-latest.validate.driftgate.dev");
  EXPECT_EQ(guard["clientConfig"]["service"]["path"].as<std::string>().rfind("/validate/x-", 0), 0u);
  EXPECT_EQ(guard["rules"][0]["resources"][0].as<std::string>(), "pods");
  EXPECT_EQ(guard["rules"][0]["apiGroups"][0].as<std::string>(), "*");
  const YAML::Node& conditions = guard["matchConditions"];
  ASSERT_EQ(conditions.size(), 5u) << r.output;
  EXPECT_EQ(conditions[4]["name"].as<std::string>(), "not-an-excluded-subject");
  EXPECT_NE(conditions[4]["expression"].as<std::string>().find(
                "request.userInfo.username.startsWith('system:serviceaccount:flux-system:')"),
            std::string::npos);
  EXPECT_EQ(guard["failurePolicy"].as<std::string>(), "Fail");
  EXPECT_EQ(guard["sideEffects"].as<std::string>(), "None");
  EXPECT_EQ(guard["timeoutSeconds"].as<int>(), 5);
  EXPECT_EQ(guard["namespaceSelector"]["matchExpressions"][0]["values"][0].as<std::string>(), "kube-system");
  // The group for everyone: narrowed to its two kinds, no matchConditions.
  const YAML::Node& fields = webhooks[1];
  EXPECT_EQ(fields["clientConfig"]["service"]["path"].as<std::string>(), "/validate/all");
  EXPECT_EQ(fields["matchConditions"].size(), 4u);  // only the lockout conditions
  ASSERT_EQ(fields["rules"].size(), 2u);
  std::set<std::string> resources;
  for (const auto& rule : fields["rules"]) resources.insert(rule["resources"][0].as<std::string>());
  EXPECT_EQ(resources, (std::set<std::string>{"poddisruptionbudgets", "helmreleases"}));
}

// match.podTemplates (language 1.1): a Pod rule also judges workload templates, so the
// registration names the workload kinds, each in its own group.
TEST(WebhookConfigCommand, PodTemplatesRegisterTheWorkloadKinds) {
  TempDir dir;
  dir.write("p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: no-privileged}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: privileged
      forEach: "spec.containers[*]"
      deny: {path: securityContext.privileged, equals: true}
)");
  auto r = run("webhook-config --policies " + dir.str());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const YAML::Node config = YAML::Load(r.output);
  std::set<std::string> registered;
  for (const auto& rule : config["webhooks"][0]["rules"])
    for (const auto& resource : rule["resources"])
      registered.insert(rule["apiGroups"][0].as<std::string>() + "/" + resource.as<std::string>());
  EXPECT_EQ(registered, (std::set<std::string>{"*/pods", "/replicationcontrollers", "apps/daemonsets", "apps/deployments",
                                               "apps/replicasets", "apps/statefulsets", "batch/cronjobs", "batch/jobs"}))
      << r.output;
}

// `kubectl debug` adds its container through pods/ephemeralcontainers (an UPDATE of
// the whole Pod): a policy that reads spec.ephemeralContainers, such as the Pod
// Security packs, must be sent those writes, or a privileged debug container passes
// unseen. The default set's image-pinning reads them too but only warns: that is not
// worth putting `kubectl debug` behind failurePolicy, so it registers none.
TEST(WebhookConfigCommand, APolicyThatReadsEphemeralContainersRegistersTheirSubresource) {
  auto registered = [](const std::string& dir) {
    auto r = run("webhook-config --policies " + dir);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::set<std::string> out;
    for (const YAML::Node& doc : YAML::LoadAll(r.output))
      for (const auto& webhook : doc["webhooks"])
        for (const auto& rule : webhook["rules"])
          for (const auto& resource : rule["resources"]) out.insert(resource.as<std::string>());
    return out;
  };
  const auto library = registered(std::string(DRIFTGATE_SOURCE_DIR) + "/policies-library/pss-baseline");
  EXPECT_TRUE(library.count("pods/ephemeralcontainers")) << testing::PrintToString(library);
  EXPECT_TRUE(library.count("pods")) << testing::PrintToString(library);
  const auto defaults = registered(std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  EXPECT_FALSE(defaults.count("pods/ephemeralcontainers")) << testing::PrintToString(defaults);
}

TEST(WebhookConfigCommand, DefaultPolicySetGetsAGuardWebhookAndAMutatingStamp) {
  auto r = run("webhook-config --policies " + std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto docs = YAML::LoadAll(r.output);
  ASSERT_EQ(docs.size(), 2u) << r.output;
  bool guard_found = false;
  for (const auto& w : docs[0]["webhooks"]) {
    if (w["name"].as<std::string>() != "gitops-ownership.validate.driftgate.dev") continue;
    guard_found = true;
    EXPECT_NE(w["matchConditions"][4]["expression"].as<std::string>().find("flux-system"), std::string::npos);
  }
  EXPECT_TRUE(guard_found) << r.output;
  EXPECT_EQ(docs[1]["kind"].as<std::string>(), "MutatingWebhookConfiguration");
  EXPECT_EQ(docs[1]["webhooks"][0]["clientConfig"]["service"]["path"].as<std::string>().rfind("/mutate/", 0), 0u);
}

// The generated registration and deploy/base's static one must never disagree on
// what may not wait on driftgate.
TEST(WebhookConfigCommand, LockoutConditionsAndExclusionsMatchTheStaticRegistration) {
  auto r = run("webhook-config --policies " + std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto generated = YAML::LoadAll(r.output);
  for (std::string kind : {"validating", "mutating"}) {
    auto base = YAML::LoadFile(std::string(DRIFTGATE_SOURCE_DIR) + "/deploy/base/" + kind + "webhookconfiguration.yaml");
    const YAML::Node& want = base["webhooks"][0];
    const YAML::Node& config = generated[kind == "validating" ? 0 : 1];
    for (const auto& got : config["webhooks"]) {
      for (std::size_t i = 0; i < want["matchConditions"].size(); ++i) {
        EXPECT_EQ(got["matchConditions"][i]["name"].as<std::string>(), want["matchConditions"][i]["name"].as<std::string>());
        EXPECT_EQ(got["matchConditions"][i]["expression"].as<std::string>(),
                  want["matchConditions"][i]["expression"].as<std::string>());
      }
      EXPECT_EQ(got["namespaceSelector"]["matchExpressions"][0]["values"].as<std::vector<std::string>>(),
                want["namespaceSelector"]["matchExpressions"][0]["values"].as<std::vector<std::string>>());
      for (std::string key : {"failurePolicy", "sideEffects", "matchPolicy"})
        EXPECT_EQ(got[key].as<std::string>(), want[key].as<std::string>()) << key;
      EXPECT_EQ(got["timeoutSeconds"].as<int>(), want["timeoutSeconds"].as<int>());
    }
  }
}

// Issue 12: `kubectl scale` is a write of `<resource>/scale`, which `resources: ["*"]`
// never matches. The default set's guard registers `*/scale` (every kind it covers),
// only on the validating webhook (a patch would apply to the Scale, not the parent),
// and deploy/base's static registration sends at least what the generated one does.
TEST(WebhookConfigCommand, TheGuardRegistersEveryScaleAndTheStaticRegistrationToo) {
  auto r = run("webhook-config --policies " + std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto generated = YAML::LoadAll(r.output);
  ASSERT_EQ(generated.size(), 2u) << r.output;
  auto resources_of = [](const YAML::Node& webhook) {
    std::set<std::string> out;
    for (const auto& rule : webhook["rules"])
      for (const auto& resource : rule["resources"]) out.insert(resource.as<std::string>());
    return out;
  };
  bool guard_found = false;
  for (const auto& w : generated[0]["webhooks"]) {
    if (w["name"].as<std::string>() != "gitops-ownership.validate.driftgate.dev") continue;
    guard_found = true;
    EXPECT_EQ(resources_of(w), (std::set<std::string>{"*", "*/scale"})) << r.output;
  }
  EXPECT_TRUE(guard_found) << r.output;
  for (const auto& w : generated[1]["webhooks"])
    for (const std::string& resource : resources_of(w)) EXPECT_EQ(resource.find('/'), std::string::npos) << resource;

  for (std::string kind : {"validating", "mutating"}) {
    auto base = YAML::LoadFile(std::string(DRIFTGATE_SOURCE_DIR) + "/deploy/base/" + kind + "webhookconfiguration.yaml");
    std::set<std::string> static_resources = resources_of(base["webhooks"][0]);
    for (const auto& w : generated[kind == "validating" ? 0 : 1]["webhooks"])
      for (const std::string& resource : resources_of(w))
        EXPECT_TRUE(static_resources.count(resource) || (resource.find('/') == std::string::npos && static_resources.count("*")))
            << kind << ": deploy/base does not send " << resource;
    EXPECT_EQ(static_resources.count("*/scale"), kind == "validating" ? 1u : 0u) << kind;
  }
}

// A malformed command line names the problem on stderr's first line, then shows
// the usage, and exits 2; before, most of these only reprinted the usage.
TEST(CommandLine, EveryUsageErrorIsNamedFirstAndExits2) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  const std::string d = dir.str();
  const auto review = dir.write("r.json", pod_review("nginx:1.27")).string();
  struct Case {
    std::string args;
    std::string first_line;
  };
  const Case cases[] = {
      {"check", "driftgate check: DIR or --policies DIR is required"},
      {"check --policies", "driftgate check: --policies needs a value"},
      {"check --policies --bogus", "driftgate check: --policies needs a value"},
      {"check " + d + " extra", "driftgate check: unexpected argument \"extra\""},
      {"check --bogus " + d, "driftgate check: unknown flag \"--bogus\""},
      {"check --policies " + d + " " + d, "driftgate check: DIR given twice: --policies \"" + d + "\" and \"" + d + "\""},
      {"check " + d + " --policies " + d, "driftgate check: DIR given twice: \"" + d + "\" and --policies \"" + d + "\""},
      {"check --policies a --policies=b", "driftgate check: --policies given twice (\"a\" and \"b\")"},
      {"test", "driftgate test: DIR or --policies DIR is required"},
      {"test " + d + " extra", "driftgate test: unexpected argument \"extra\""},
      {"test --policies " + d + " extra", "driftgate test: DIR given twice: --policies \"" + d + "\" and \"extra\""},
      {"test --verbose " + d, "driftgate test: unknown flag \"--verbose\""},
      {"eval " + review, "driftgate eval: --policies DIR is required"},
      {"eval --policies " + d, "driftgate eval: at least one FILE is required"},
      {"eval --policies", "driftgate eval: --policies needs a value"},
      {"eval --policies " + d + " --policies " + d + " " + review, "driftgate eval: --policies given twice (\"" + d + "\" and \"" + d + "\")"},
      {"eval --policies " + d + " --bogus " + review, "driftgate eval: unknown flag \"--bogus\""},
      {"eval --policies " + d + " --mutate=yes " + review, "driftgate eval: --mutate takes no value"},
      {"eval --policies " + d + " --now yesterday " + review,
       "driftgate eval: --now \"yesterday\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z"},
      {"webhook-config", "driftgate webhook-config: --policies DIR is required"},
      {"scan --policies " + d + " --manifests " + review + " --from " + review,
       "driftgate scan: --from and --manifests are two modes: give one"},
      {"scan --policies " + d + " --from " + review + " --junit x.xml", "driftgate scan: --cluster, --junit and --github need --manifests"},
      {"scan --policies " + d + " --from " + review + " --chunk-size 0", "driftgate scan: --chunk-size must be a positive number, got \"0\""},
      {"scan --manifests " + review, "driftgate scan: --policies DIR is required"},
      {"scan --policies " + d + " --manifests " + review + " --output xml", "driftgate scan: --output must be text, json or reports, got \"xml\""},
      {"scan --policies " + d + " --manifests " + review + " --fail-on error", "driftgate scan: --fail-on must be deny, warn or none, got \"error\""},
      {"webhook-config --policies " + d + " extra", "driftgate webhook-config: unexpected argument \"extra\""},
      {"webhook-config --policies " + d + " --names x", "driftgate webhook-config: unknown flag \"--names\""},
      {"webhook-config --policies " + d + " --timeout-seconds 5s",
       "driftgate webhook-config: --timeout-seconds must be 1 to 30 (the API server's limits), got \"5s\""},
  };
  for (const Case& c : cases) {
    auto r = run_for_stderr(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_EQ(first_line(r.output), c.first_line) << c.args << "\n" << r.output;
  }
  // A structural error is followed by the usage; a refused value is not.
  EXPECT_NE(run_for_stderr("check " + d + " extra").output.find("Usage: driftgate check"), std::string::npos);
  EXPECT_EQ(run_for_stderr("eval --policies " + d + " --now yesterday " + review).output.find("Usage:"), std::string::npos);
}

TEST(CommandLine, EveryCommandTakesPoliciesAsAFlagAndCheckAndTestAlsoAsAnArgument) {
  TempDir dir;
  dir.write("policies/p.yaml", kPolicy);
  dir.write("policies/t.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: t}
spec:
  cases:
    - name: latest is refused
      request:
        object: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: n}, spec: {containers: [{name: a, image: "x:latest"}]}}
      expect: {allowed: false}
)");
  const std::string policies = dir.str() + "/policies";
  const auto review = dir.write("r.json", pod_review("nginx:1.27")).string();
  for (std::string form : {policies, "--policies " + policies, "--policies=" + policies}) {
    auto check = run("check " + form);
    EXPECT_EQ(check.exit_code, 0) << form << "\n" << check.output;
    EXPECT_NE(check.output.find(policies + ": 2 policies in 2 files are valid"), std::string::npos) << check.output;
    auto test = run("test " + form);
    EXPECT_EQ(test.exit_code, 0) << form << "\n" << test.output;
    EXPECT_NE(test.output.find("\n1 passed, 0 failed\n"), std::string::npos) << test.output;
  }
  EXPECT_EQ(run("eval --policies=" + policies + " " + review).exit_code, 0);
  EXPECT_EQ(run("eval --policies " + policies + " -- " + review).exit_code, 0);
  EXPECT_EQ(run("webhook-config --policies=" + policies).exit_code, 0);
}

// (serve's own help is e2e.cli's: this test also runs in builds without the server.)
TEST(CommandLine, EveryCommandPrintsItsHelpAndExits0) {
  const std::pair<std::string, std::string> commands[] = {
      {"check", "Usage: driftgate check [--policies] DIR\n"},
      {"test", "Usage: driftgate test [--policies] DIR\n"},
      {"eval", "Usage: driftgate eval --policies DIR [--now RFC3339] [--mutate] [--audit] [--parents PATH] FILE...\n"},
      {"webhook-config", "Usage: driftgate webhook-config --policies DIR [flags]\n"},
      {"scan", "Usage: driftgate scan --policies DIR [--from FILE|DIR|-] [flags]\n"},
  };
  for (const auto& [command, usage] : commands) {
    for (std::string help : {" --help", " -h", " --policies x --help"}) {
      auto r = run(command + help);
      EXPECT_EQ(r.exit_code, 0) << command << help << "\n" << r.output;
      EXPECT_EQ(r.output.rfind(usage, 0), 0u) << command << help << "\n" << r.output;
    }
  }
}

// The command list in README.md is the one `driftgate --help` prints: the same
// commands with the same synopsis, in the same order.
TEST(CommandLine, ReadmeCommandListIsTheHelpsCommandList) {
  auto synopses = [](const std::string& text, const std::string& indent) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(indent + "driftgate ", 0) != 0) continue;
      line = line.substr(indent.size());
      out.push_back(line.substr(0, line.find("  ")));  // the summary follows after two or more spaces
    }
    return out;
  };
  std::ifstream readme(std::string(DRIFTGATE_SOURCE_DIR) + "/README.md");
  std::string text((std::istreambuf_iterator<char>(readme)), std::istreambuf_iterator<char>());
  auto section = text.find("\n## Command line\n");
  ASSERT_NE(section, std::string::npos);
  auto block = text.find("```\n", section);
  auto end = text.find("```", block + 4);
  ASSERT_NE(end, std::string::npos);
  auto in_readme = synopses(text.substr(block + 4, end - block - 4), "");

  auto help = run("--help");
  ASSERT_EQ(help.exit_code, 0);
  auto in_help = synopses(help.output, "  ");
  EXPECT_EQ(in_readme, in_help);
  EXPECT_EQ(in_help.size(), 7u) << help.output;
}

// ---- strictness (issue 13): a typo never widens nor silently disables ----------

// `kinds: [services]` used to load and make webhook-config register every resource
// of every group: with failurePolicy Fail, the whole cluster through a policy that
// does nothing.
TEST(WebhookConfigCommand, ATypoedKindIsRefusedInsteadOfRegisteringEveryResource) {
  TempDir dir;
  dir.write("p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: svc}
spec:
  match: {kinds: [services]}
  rules:
    - {name: r, forbid: [spec.externalIPs]}
)");
  const std::string error = "p.yaml:5:19: policy \"svc\": spec.match.kinds[0]: unknown kind \"services\"; did you mean \"Service\"?";
  auto config = run("webhook-config --policies " + dir.str());
  EXPECT_EQ(config.exit_code, 2) << config.output;
  EXPECT_NE(config.output.find(error), std::string::npos) << config.output;
  EXPECT_EQ(config.output.find("resources"), std::string::npos) << config.output;
  auto check = run("check " + dir.str());
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find(error), std::string::npos) << check.output;
}

TEST(WebhookConfigCommand, KindsRegisterTheirResourcesFromTheTableAndACustomResourceItsWholeGroup) {
  TempDir dir;
  dir.write("p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: kinds}
spec:
  match:
    kinds: [Endpoints, core/Service, networking.k8s.io/v1/NetworkPolicy, example.com/Widget, Scale]
  rules:
    - {name: r, forbid: [spec.x]}
)");
  auto r = run("webhook-config --policies " + dir.str());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto docs = YAML::LoadAll(r.output);
  ASSERT_EQ(docs.size(), 1u) << r.output;
  std::set<std::string> rules;
  for (const auto& rule : docs[0]["webhooks"][0]["rules"]) {
    std::string text;
    for (std::string key : {"apiGroups", "apiVersions", "resources"}) {
      text += key + "=";
      for (const auto& v : rule[key]) text += v.as<std::string>() + ",";
      text += " ";
    }
    rules.insert(text);
  }
  EXPECT_EQ(rules, (std::set<std::string>{
                       "apiGroups=*, apiVersions=*, resources=*/scale,endpoints, ",
                       "apiGroups=, apiVersions=*, resources=services, ",
                       "apiGroups=networking.k8s.io, apiVersions=v1, resources=networkpolicies, ",
                       "apiGroups=example.com, apiVersions=*, resources=*, ",
                   }))
      << r.output;
}

// The rules `webhook-config` registers for a policy with these kinds, one string per
// rule: "apiGroups=..., apiVersions=..., resources=...,".
std::set<std::string> registered_rules(const std::string& kinds, const std::string& rule = "{name: r, forbid: [spec.x]}") {
  TempDir dir;
  dir.write("p.yaml", "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: kinds}\nspec:\n"
                      "  match:\n    kinds: " + kinds + "\n  rules:\n    - " + rule + "\n");
  auto r = run("webhook-config --policies " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::set<std::string> rules;
  for (const auto& doc : YAML::LoadAll(r.output))
    for (const auto& rule : doc["webhooks"][0]["rules"]) {
      std::string text;
      for (std::string key : {"apiGroups", "apiVersions", "resources"}) {
        text += key + "=";
        for (const auto& v : rule[key]) text += v.as<std::string>() + ",";
        text += " ";
      }
      rules.insert(text);
    }
  return rules;
}

// Regression: the kinds only a subresource request carries were registered in their
// own group (`apiGroups: [autoscaling], resources: ["*/scale"]`, `apiGroups: [policy],
// resources: [pods/eviction]`), which no request ever matches: the API server matches
// a rule on the group of the resource written (apps/deployments/scale, core
// pods/eviction), not on the group of the object it carries. The policy loaded,
// check and test passed, and in a cluster it was never called. However the kind is
// written, it registers the resource it is requested under, in every version.
TEST(WebhookConfigCommand, AScaleRegistersTheScaleSubresourceOfEveryGroup) {
  for (std::string kind : {"[Scale]", "[autoscaling/Scale]", "[autoscaling/v1/Scale]"})
    EXPECT_EQ(registered_rules(kind), (std::set<std::string>{"apiGroups=*, apiVersions=*, resources=*/scale, "})) << kind;
}

TEST(WebhookConfigCommand, AnEvictionRegistersCorePodsEviction) {
  for (std::string kind : {"[Eviction]", "[policy/Eviction]", "[policy/v1/Eviction]"})
    EXPECT_EQ(registered_rules(kind), (std::set<std::string>{"apiGroups=, apiVersions=*, resources=pods/eviction, "}))
        << kind;
}

TEST(WebhookConfigCommand, ATokenRequestRegistersCoreServiceAccountsToken) {
  for (std::string kind : {"[TokenRequest]", "[authentication.k8s.io/TokenRequest]", "[authentication.k8s.io/v1/TokenRequest]"})
    EXPECT_EQ(registered_rules(kind),
              (std::set<std::string>{"apiGroups=, apiVersions=*, resources=serviceaccounts/token, "}))
        << kind;
}

// A subresource shares a rule with the other resources of its group and version, and
// `resources: ["*"]` (which matches no subresource) never swallows it.
TEST(WebhookConfigCommand, SubresourcesMergeIntoTheirGroupsRuleAndAStarDoesNotSwallowThem) {
  EXPECT_EQ(registered_rules("[core/Pod, policy/Eviction, core/ServiceAccount, TokenRequest]"),
            (std::set<std::string>{"apiGroups=, apiVersions=*, resources=pods,pods/eviction,serviceaccounts,"
                                   "serviceaccounts/token, "}));
  EXPECT_EQ(registered_rules("[\"*Set\", Scale]"),
            (std::set<std::string>{"apiGroups=*, apiVersions=*, resources=*,*/scale, "}));
  EXPECT_EQ(registered_rules("[example.com/Widget, core/Pod, Eviction]"),
            (std::set<std::string>{"apiGroups=example.com, apiVersions=*, resources=*, ",
                                   "apiGroups=, apiVersions=*, resources=pods,pods/eviction, "}));
}

// A policy that can judge a change of spec.replicas (`frozen`, or a rule reading it)
// registers its scalable kinds' /scale beside them; kinds without a scale
// subresource, policies whose rules never read spec.replicas (their verdict on the
// parent cannot change with a scale) and mutating webhooks do not.
TEST(WebhookConfigCommand, ScalableKindsRegisterTheirScaleSubresource) {
  const std::string frozen = "{name: r, frozen: {}}";
  EXPECT_EQ(registered_rules("[apps/Deployment, core/ConfigMap]", frozen),
            (std::set<std::string>{"apiGroups=apps, apiVersions=*, resources=deployments,deployments/scale, ",
                                   "apiGroups=, apiVersions=*, resources=configmaps, "}));
  EXPECT_EQ(registered_rules("[StatefulSet, ReplicationController]", "{name: r, forbid: [spec.replicas]}"),
            (std::set<std::string>{"apiGroups=*, apiVersions=*, resources=replicationcontrollers,"
                                   "replicationcontrollers/scale,statefulsets,statefulsets/scale, "}));
  EXPECT_EQ(registered_rules("[\"*\"]", frozen),
            (std::set<std::string>{"apiGroups=*, apiVersions=*, resources=*,*/scale, "}));
  // A custom resource's CRD may declare subresources.scale.
  EXPECT_EQ(registered_rules("[example.com/Widget]", frozen),
            (std::set<std::string>{"apiGroups=example.com, apiVersions=*, resources=*,*/scale, "}));
  // A rule that never reads spec.replicas: no /scale.
  EXPECT_EQ(registered_rules("[apps/Deployment]", "{name: r, forbid: [spec.paused]}"),
            (std::set<std::string>{"apiGroups=apps, apiVersions=*, resources=deployments, "}));
}

// `eval --parents`: a /scale review (the real shape, tests/fixtures) judged by its
// parent as serve judges it by its watch cache; a parent not given is a lookup failure.
TEST(EvalCommand, ParentsJudgeAScaleByItsOwner) {
  TempDir dir;
  const std::string parents = dir.write("parents.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: users-api
  namespace: users
  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
spec: {replicas: 2}
)").string();
  const std::string policies = std::string(DRIFTGATE_SOURCE_DIR) + "/policies";
  const std::string review = std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/scale-deployment-kubectl.json";
  auto r = run("eval --policies " + policies + " --parents " + parents + " " + review);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("denied: gitops-ownership/no-manual-edits: Deployment users/users-api is managed by Flux "
                          "Kustomization flux-system/apps; change spec.replicas in Git instead"),
            std::string::npos)
      << r.output;
  // Without --parents the Scale is judged as it comes: nothing says who owns it.
  EXPECT_EQ(run("eval --policies " + policies + " " + review).exit_code, 0);
  // A parent the file does not hold: refused, naming why.
  const std::string other = dir.write("other.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: users}\n").string();
  r = run("eval --policies " + policies + " --parents " + other + " " + review);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("could not look up deployments.apps users/users-api to judge this scale by its owner: not "
                          "among the parent objects given (eval --parents"),
            std::string::npos)
      << r.output;
}

// `apiVersion: driftgate.io/v1alpha1` was skipped as another tool's document, and
// `check` printed "0 policies in 1 files are valid" with exit 0.
TEST(CheckCommand, ASetWithoutPoliciesFailsAndSaysWhy) {
  TempDir typo;
  std::string text = kPolicy;
  for (std::size_t at; (at = text.find("driftgate.dev/")) != std::string::npos;) text.replace(at, 14, "driftgate.io/");
  typo.write("p.yaml", text);
  auto r = run("check " + typo.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("p.yaml:1:13: apiVersion \"driftgate.io/v1alpha1\" is not driftgate's; did you mean "
                          "\"driftgate.dev/v1alpha1\"?"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("are valid"), std::string::npos) << r.output;

  TempDir empty;
  empty.write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n");
  r = run("check " + empty.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(empty.str() + ": no policies in 1 file"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("are valid"), std::string::npos) << r.output;
}

// `allowd:` and `casess:` passed `check`; `operation: delete` and `opration: DELETE`
// ended in "not an AdmissionReview: request.kind.kind: missing"; duplicate case names
// went unnoticed.
const std::string kSloppyTests = R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: t}
spec:
  casess: []
---
apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: u}
spec:
  cases:
    - name: same
      request:
        opration: DELETE
        oldObject: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: n}}
      expect: {allowd: true}
    - name: same
      request:
        operation: delete
        oldObject: {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: n}}
      expect: {allowed: true}
)";

TEST(CheckCommand, ValidatesPolicyTestDocumentsWithPositionsAndSuggestions) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  dir.write("t.yaml", kSloppyTests);
  auto r = run("check " + dir.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  // Each error: its line starts with the position and field, and ends with the suggestion.
  const std::pair<std::string, std::string> expected[] = {
      {"t.yaml:5:3: PolicyTest \"t\": spec: unknown field \"casess\"", "; did you mean \"cases\"?"},
      {"t.yaml:5:3: PolicyTest \"t\": spec: missing cases", ""},
      {"t.yaml:14:9: PolicyTest \"u\": spec.cases[0].request: unknown field \"opration\"", "; did you mean \"operation\"?"},
      {"t.yaml:16:16: PolicyTest \"u\": spec.cases[0].expect: unknown field \"allowd\"", "; did you mean \"allowed\"?"},
      {"t.yaml:17:13: PolicyTest \"u\": spec.cases[1].name: duplicate case name \"same\", first at line 12", ""},
      {"t.yaml:19:20: PolicyTest \"u\": spec.cases[1].request.operation: unknown operation \"delete\", expected "
       "CREATE, UPDATE, DELETE or CONNECT",
       "; did you mean \"DELETE\"?"},
  };
  for (const auto& [start, end] : expected) {
    auto at = r.output.find("/" + start);
    ASSERT_NE(at, std::string::npos) << start << "\nin:\n" << r.output;
    std::string line = r.output.substr(at, r.output.find('\n', at) - at);
    EXPECT_TRUE(line.ends_with(end)) << line;
  }
  EXPECT_NE(r.output.find("\n6 errors in "), std::string::npos) << r.output;
}

TEST(TestCommand, ATestThatDoesNotLoadIsNamedAndNotRun) {
  TempDir dir;
  dir.write("p.yaml", kPolicy);
  dir.write("t.yaml", kSloppyTests);
  auto r = run("test " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean \"DELETE\"?"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("request.kind.kind: missing"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(" passed, "), std::string::npos) << r.output;
}

// A PolicyTest `request:` for a Namespace derived `namespace: ""` where the API
// server sends the Namespace's own name; and both printed `{{namespace}}/{{name}}`
// wrongly ("/team-zz" offline, "team-zz/team-zz" from the cluster). The same write
// now reads the same both ways.
TEST(TestCommand, ANamespaceWriteReadsTheSameOfflineAsFromTheApiServer) {
  TempDir dir;
  dir.write("p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: tenants}
spec:
  match: {kinds: [Namespace]}
  rules:
    - name: psa
      pattern: {path: 'metadata.labels["pod-security.kubernetes.io/enforce"]', regex: "^privileged$", negate: true}
      message: "{{kind}} {{namespace}}/{{name}}: the privileged level needs a review"
    - name: gitops
      frozen: {}
)");
  const std::string expect = R"(
      expect:
        allowed: false
        message: ["tenants/psa: Namespace team-zz: the privileged level",
                  "tenants/gitops: Namespace team-zz is managed by Flux Kustomization flux-system/tenants"])";
  dir.write("t.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: tenants}
spec:
  cases:
    - name: as the API server sends it
      reviewFile: )" + std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/namespace-update.json" + expect + R"(
    - name: as a request
      request:
        operation: UPDATE
        object:
          apiVersion: v1
          kind: Namespace
          metadata:
            name: team-zz
            labels: &labels {kustomize.toolkit.fluxcd.io/name: tenants, kustomize.toolkit.fluxcd.io/namespace: flux-system,
                             pod-security.kubernetes.io/enforce: privileged}
        oldObject: {apiVersion: v1, kind: Namespace, metadata: {name: team-zz, labels: {kustomize.toolkit.fluxcd.io/name: tenants,
                    kustomize.toolkit.fluxcd.io/namespace: flux-system}}})" + expect + "\n");
  auto r = run("test " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n2 passed, 0 failed\n"), std::string::npos) << r.output;
}

}  // namespace

// ---- scan --manifests (issue 11) ------------------------------------------------

const std::string kScanPolicies = kPolicy + R"(---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: pinned}
spec:
  mode: Warn
  match: {kinds: [apps/Deployment]}
  rules:
    - name: digest
      pattern: {path: "spec.template.spec.containers[*].image", regex: "@sha256:"}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: helm-values}
spec:
  match: {kinds: [helm.toolkit.fluxcd.io/HelmRelease]}
  rules:
    - name: pdb
      exclusive: {at: "spec.values.**", fields: [minAvailable, maxUnavailable]}
)";

const std::string kHelmRelease = R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: kyverno, namespace: kyverno}
spec:
  values:
    admissionController:
      podDisruptionBudget: {minAvailable: 1, maxUnavailable: 1}
)";
const std::string kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
)";

// scan --from: what `kubectl get -o json --show-managed-fields` wrote, judged as the
// cluster scan judges it (forensics and background evaluation), with the repository's
// own policies.
// Colour only on a terminal: script(1) gives the command a pty.
TEST(ScanStored, TheSummaryIsColouredOnATerminalOnly) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "script (util-linux) not found";
  const std::string fixture =
      std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/scan/kubectl-get-users-show-managed-fields.json";
  const std::string command = std::string(DRIFTGATE_BINARY) + " scan --from " + fixture + " --policies " +
                              std::string(DRIFTGATE_SOURCE_DIR) + "/policies";
  std::string tty_output;
  FILE* pipe = popen(("script -qec '" + command + "' /dev/null 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) tty_output.append(buffer, n);
  pclose(pipe);
  EXPECT_NE(tty_output.find("\033[1mDrift: fields of GitOps-managed objects"), std::string::npos) << tty_output;
  EXPECT_NE(tty_output.find("\033[33mConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST"),
            std::string::npos)
      << tty_output;
  auto plain = run("scan --from " + fixture + " --policies " + std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  EXPECT_EQ(plain.output.find('\033'), std::string::npos) << plain.output;
}

TEST(ScanStored, FromAKubectlDumpNamesFieldManagerAndTimeAndNothingFluxOwns) {
  const std::string fixture =
      std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/scan/kubectl-get-users-show-managed-fields.json";
  const std::string policies = std::string(DRIFTGATE_SOURCE_DIR) + "/policies";
  auto r = run("scan --from " + fixture + " --policies " + policies);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("  users \xE2\x80\x94 Flux Kustomization flux-system/apps\n"), std::string::npos) << r.output;
  const std::string edit = "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST set by "
                           "kubectl-edit at 2026-05-03T02:14:00Z";
  const std::string image = "Deployment users/users-api (Flux Kustomization flux-system/apps): "
                            "spec.template.spec.containers[0].image set by kubectl-set at 2026-04-20T16:45:12Z";
  const std::string scale = "Deployment users/users-api (Flux Kustomization flux-system/apps): spec.replicas set by "
                            "kubectl through /scale, no time recorded";
  // Oldest first; a write without a time last.
  const auto at_image = r.output.find(image), at_edit = r.output.find(edit), at_scale = r.output.find(scale);
  ASSERT_NE(at_image, std::string::npos) << r.output;
  ASSERT_NE(at_edit, std::string::npos) << r.output;
  ASSERT_NE(at_scale, std::string::npos) << r.output;
  EXPECT_LT(at_image, at_edit);
  EXPECT_LT(at_edit, at_scale);
  // Flux's fields, the controller's status and revision, and an object no GitOps tool owns: nothing.
  for (const char* absent : {"LOG_LEVEL", "FEATURE_X", "users-api-flags", "kube-root-ca.crt", "status.", "revision"})
    EXPECT_EQ(r.output.find(absent), std::string::npos) << absent << "\n" << r.output;
  EXPECT_NE(r.output.find("4 objects: 3 drifted fields"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Drift by manager: kubectl (/scale) 1, kubectl-edit 1, kubectl-set 1\n"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Findings by policy: gitops-ownership/no-manual-edits 3\n"), std::string::npos) << r.output;

  // The same from standard input, as JSON lines.
  auto json = run("scan --from - --output json --policies " + policies + " < " + fixture);
  EXPECT_EQ(json.exit_code, 3) << json.output;
  EXPECT_NE(json.output.find(R"({"type":"drift","apiVersion":"apps/v1","kind":"Deployment","namespace":"users","name":"users-api","uid":"9b1f6a0e-3c2d-4e5f-8a7b-6c5d4e3f2a10","owner":"Flux Kustomization flux-system/apps","path":"spec.replicas","pathResolved":true,"manager":"kubectl","operation":"Update","subresource":"scale","time":null,"policy":"gitops-ownership","rule":"no-manual-edits","message":)"),
            std::string::npos)
      << json.output;

  // Another namespace: nothing.
  auto other = run("scan --from " + fixture + " --namespace apps --policies " + policies);
  EXPECT_EQ(other.exit_code, 0) << other.output;
  EXPECT_NE(other.output.find("0 objects: 0 drifted fields, 0 policy violations"), std::string::npos) << other.output;

  // A file that is no Kubernetes object is bad input.
  TempDir dir;
  auto bad = run("scan --from " + dir.write("x.json", "[1,2]").string() + " --policies " + policies);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST(ScanCommand, JudgesEveryObjectAsACreateAndNamesFileLineDocumentObjectAndPath) {
  TempDir dir;
  dir.write("policies/p.yaml", kScanPolicies);
  auto rendered = dir.write("rendered.yaml", "---\n# Source: infra/kyverno.yaml\n" + kHelmRelease + "---\n" + kDeployment);
  const std::string policies = " --policies " + dir.str() + "/policies";
  auto r = run("scan --manifests " + rendered.string() + policies, "2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("  3: document 1: HelmRelease kyverno/kyverno (Source: infra/kyverno.yaml)\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("DENY  helm-values/pdb (Enforce): spec.values.admissionController.podDisruptionBudget.minAvailable"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  11: document 2: Deployment default/web\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("WARN  pinned/digest (Warn)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 objects in 1 file: 1 denied (Enforce), 1 warnings"), std::string::npos) << r.output;

  // --namespace, JSON lines: one finding per line, then the summary.
  auto json = run("scan --output json --namespace apps --manifests " + rendered.string() + policies, "2>/dev/null");
  EXPECT_EQ(json.exit_code, 3);
  std::istringstream lines(json.output);
  std::vector<YAML::Node> parsed;
  for (std::string line; std::getline(lines, line);) parsed.push_back(YAML::Load(line));
  ASSERT_EQ(parsed.size(), 3u) << json.output;
  EXPECT_EQ(parsed[0]["type"].as<std::string>(), "finding");
  EXPECT_EQ(parsed[0]["line"].as<int>(), 3);
  EXPECT_EQ(parsed[0]["document"].as<int>(), 1);
  EXPECT_EQ(parsed[0]["source"].as<std::string>(), "infra/kyverno.yaml");
  EXPECT_EQ(parsed[0]["severity"].as<std::string>(), "error");
  EXPECT_EQ(parsed[0]["paths"][0].as<std::string>(), "spec.values.admissionController.podDisruptionBudget.minAvailable");
  EXPECT_EQ(parsed[1]["namespace"].as<std::string>(), "apps");
  EXPECT_EQ(parsed[1]["severity"].as<std::string>(), "warning");
  EXPECT_TRUE(parsed[1]["source"].IsNull());
  EXPECT_EQ(parsed[2]["type"].as<std::string>(), "summary");
  EXPECT_EQ(parsed[2]["objects"].as<int>(), 2);

  // The same stream from standard input.
  auto piped = run("scan --manifests -" + policies + " < " + rendered.string());
  EXPECT_EQ(piped.exit_code, 3) << piped.output;
  EXPECT_NE(piped.output.find("<stdin>\n"), std::string::npos) << piped.output;
}

TEST(ScanCommand, WarningsPassUnlessFailOnWarnAndTheIdentityIsConfigurable) {
  TempDir dir;
  dir.write("policies/p.yaml", kScanPolicies);
  auto rendered = dir.write("deploy.yaml", kDeployment);
  auto pod = dir.write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: 'x:latest'}]}\n");
  const std::string policies = " --policies " + dir.str() + "/policies";
  EXPECT_EQ(run("scan --manifests " + rendered.string() + policies).exit_code, 0);
  EXPECT_EQ(run("scan --fail-on warn --manifests " + rendered.string() + policies).exit_code, 3);
  // no-latest exempts Flux's service accounts: judged as Flux, the Pod passes.
  EXPECT_EQ(run("scan --manifests " + pod.string() + policies).exit_code, 3);
  EXPECT_EQ(run("scan --as system:serviceaccount:flux-system:kustomize-controller --as-group system:serviceaccounts --manifests " +
                pod.string() + policies).exit_code, 0);
}

TEST(ScanCommand, ADirectoryIsReadRecursivelyInNameOrderAndBadInputIsNeverSkipped) {
  TempDir dir;
  dir.write("policies/p.yaml", kScanPolicies);
  dir.write("m/b/deploy.yml", kDeployment);
  dir.write("m/a.yaml", kHelmRelease + "---\n- not\n- an object\n");
  dir.write("m/c.json", R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]})");
  dir.write("m/notes.txt", "ignored: not *.yaml, *.yml or *.json");
  dir.write("m/kustomization.yaml", "resources: [a.yaml]\n");
  dir.write("m/.hidden/x.yaml", "not: an object\n");
  auto r = run("scan --manifests " + dir.str() + "/m --policies " + dir.str() + "/policies");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const auto a = r.output.find(dir.str() + "/m/a.yaml\n"), b = r.output.find(dir.str() + "/m/b/deploy.yml\n");
  EXPECT_NE(a, std::string::npos) << r.output;
  EXPECT_LT(a, b) << r.output;
  EXPECT_NE(r.output.find("ERROR " + dir.str() + "/m/a.yaml:9: document 2: not a Kubernetes object"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dir.str() + "/m/kustomization.yaml:1: document 1: a kustomize file, not an object"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("3 objects in 4 files"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(".hidden"), std::string::npos) << r.output;
}

TEST(ScanCommand, JunitAndGithubAnnotationsAreEscaped) {
  TempDir dir;
  dir.write("policies/p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: tricky}
spec:
  match: {kinds: [ConfigMap]}
  rules:
    - name: r
      require: [data.missing]
      message: "100% <wrong> & \"quoted\", a:b\nsecond line"
)");
  auto m = dir.write("a,b:c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  const std::string junit = dir.str() + "/junit.xml";
  auto r = run("scan --github --junit " + junit + " --manifests '" + m.string() + "' --policies " + dir.str() + "/policies");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("::error file=" + dir.str() + "/a%2Cb%3Ac.yaml,line=1,title=tricky/r::ConfigMap default/c: 100%25 <wrong> & \"quoted\", a:b%0Asecond line\n"),
            std::string::npos)
      << r.output;
  std::ifstream in(junit);
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("<testsuites name=\"driftgate scan\" tests=\"1\" failures=\"1\" errors=\"0\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"ConfigMap default/c: tricky\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("100% &lt;wrong&gt; &amp; &quot;quoted&quot;, a:b&#10;second line"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<wrong>"), std::string::npos) << xml;
}
