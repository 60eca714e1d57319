// Language 1.1 (/docs/policies.md, "Conditions"): expect and deny, conditions and
// value tests, when and forEach, match names and podTemplates, key globs, and the
// load errors of each. Engine tests build the set from YAML and judge real Pods.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "policy/loader.h"
#include "test_support.h"
#include "util/quantity.h"

namespace driftgate {
namespace {

using policy::kCreate;
using policy::kDelete;
using policy::kUpdate;
using testing::at;
using testing::Documents;
using testing::policies;
using testing::policy_yaml;
using testing::request;

const TimePoint kNow = at("2026-11-22T12:00:00Z");


std::string pod(const std::string& spec, const std::string& name = "web") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: apps\nspec:\n" + spec;
}

struct Judged {
  engine::Decision decision;
  bool allowed() const { return decision.allowed; }
  std::string message() const { return decision.message; }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& v : decision.violations) out.insert(out.end(), v.paths.begin(), v.paths.end());
    return out;
  }
};

class Language : public ::testing::Test {
 protected:
  Judged judge(const std::string& policy_text, const std::string& object_yaml, policy::Operation op = kCreate,
               const std::string& old_yaml = "") {
    auto set = policies(policy_text);
    json::Value object = object_yaml.empty() ? json::Value{} : docs_.yaml(object_yaml);
    json::Value old = old_yaml.empty() ? json::Value{} : docs_.yaml(old_yaml);
    return {engine::evaluate(request(op, object, old), *set, kNow)};
  }
  Documents docs_;
};

using Strings = std::vector<std::string>;

// ---- the four sentences of issue 13's "Done when" ---------------------------------

const std::string kNoPrivileged = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: no-privileged
      deny: {any: "spec.containers[*].securityContext.privileged", equals: true}
)");

TEST_F(Language, DenyPrivilegedTrue) {
  auto j = judge(kNoPrivileged, pod(R"(
  containers:
    - {name: a, image: a, securityContext: {privileged: false}}
    - {name: b, image: b, securityContext: {privileged: true}}
)"));
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.message(),
            "p/no-privileged: Pod apps/web: spec.containers[1].securityContext.privileged is true; denied: equals true");
  EXPECT_EQ(j.paths(), (Strings{"spec.containers[1].securityContext.privileged"}));
  // privileged: false, and the string "true", are not `true`.
  EXPECT_TRUE(judge(kNoPrivileged, pod("  containers: [{name: a, image: a, securityContext: {privileged: false}}]\n")).allowed());
  EXPECT_TRUE(judge(kNoPrivileged, pod("  containers: [{name: a, image: a, securityContext: {privileged: \"true\"}}]\n")).allowed());
  EXPECT_TRUE(judge(kNoPrivileged, pod("  containers: [{name: a, image: a}]\n")).allowed());
}

const std::string kProbes = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: a-probe
      forEach: "spec.containers[*]"
      expect:
        anyOf:
          - {exists: livenessProbe}
          - {exists: readinessProbe}
          - {exists: startupProbe}
)");

TEST_F(Language, RequireAtLeastOneProbe) {
  auto j = judge(kProbes, pod(R"(
  containers:
    - {name: a, image: a, startupProbe: {tcpSocket: {port: 80}}}
    - {name: b, image: b}
)"));
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.message(),
            "p/a-probe: Pod apps/web: none of: spec.containers[1].livenessProbe is not set; "
            "spec.containers[1].readinessProbe is not set; spec.containers[1].startupProbe is not set");
  EXPECT_TRUE(judge(kProbes, pod("  containers: [{name: a, image: a, readinessProbe: {exec: {command: [x]}}}]\n")).allowed());
}

const std::string kDropAll = policy_yaml("p", R"(
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: drop-all
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect: {any: "securityContext.capabilities.drop[*]", equals: ALL}
)");

TEST_F(Language, DropMustContainAll) {
  auto j = judge(kDropAll, pod(R"(
  initContainers:
    - {name: i, image: i, securityContext: {capabilities: {drop: [NET_RAW]}}}
  containers:
    - {name: a, image: a, securityContext: {capabilities: {drop: [NET_RAW, ALL]}}}
    - {name: b, image: b}
)"));
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.paths(), (Strings{"spec.containers[1].securityContext.capabilities.drop",
                                "spec.initContainers[0].securityContext.capabilities.drop"}));
  EXPECT_NE(j.message().find("spec.containers[1].securityContext.capabilities.drop[*] is not set; expected at least "
                             "one with equals \"ALL\""),
            std::string::npos)
      << j.message();
  EXPECT_NE(j.message().find("spec.initContainers[0].securityContext.capabilities.drop[*] has no value with equals "
                             "\"ALL\" (found \"NET_RAW\")"),
            std::string::npos)
      << j.message();
  EXPECT_TRUE(judge(kDropAll, pod("  containers: [{name: a, image: a, securityContext: {capabilities: {drop: [ALL]}}}]\n"))
                  .allowed());
}

const std::string kLatestPullsAlways = policy_yaml("p", R"(
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: latest-pulls-always
      forEach: ["spec.containers[*]"]
      when: {path: image, regex: '(:latest$|^[^:@]+$)'}
      expect: {path: imagePullPolicy, equals: Always}
)");

TEST_F(Language, IfTheTagIsLatestThenPullAlways) {
  auto j = judge(kLatestPullsAlways, pod(R"(
  containers:
    - {name: a, image: "nginx:1.27", imagePullPolicy: IfNotPresent}
    - {name: b, image: "nginx:latest", imagePullPolicy: IfNotPresent}
    - {name: c, image: nginx}
    - {name: d, image: "nginx:latest", imagePullPolicy: Always}
)"));
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.message(),
            "p/latest-pulls-always: Pod apps/web: spec.containers[1].imagePullPolicy is \"IfNotPresent\"; expected equals "
            "\"Always\"; spec.containers[2].imagePullPolicy is not set; expected equals \"Always\"");
  EXPECT_EQ(j.paths(), (Strings{"spec.containers[1].imagePullPolicy", "spec.containers[2].imagePullPolicy"}));
}

// ---- podTemplates ---------------------------------------------------------------

TEST_F(Language, PodTemplatesJudgeWorkloadsWithTheirOwnPaths) {
  const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: apps}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - {name: a, image: "api:latest"}
        - {name: b, image: "api:latest", imagePullPolicy: Always}
)";
  auto j = judge(kLatestPullsAlways, deployment);
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.paths(), (Strings{"spec.template.spec.containers[0].imagePullPolicy"}));
  EXPECT_NE(j.message().find("Deployment apps/api: spec.template.spec.containers[0].imagePullPolicy is not set"),
            std::string::npos)
      << j.message();

  const std::string cronjob = R"(apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: apps}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: a, image: "x:latest", imagePullPolicy: Never}]
)";
  j = judge(kLatestPullsAlways, cronjob);
  EXPECT_EQ(j.paths(), (Strings{"spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy"}));
  // A kind without a Pod template is not matched.
  auto set = policies(kLatestPullsAlways);
  EXPECT_EQ(set->candidates("Service").size(), 0u);
  EXPECT_EQ(set->candidates("Deployment").size(), 1u);
  EXPECT_EQ(set->candidates("CronJob").size(), 1u);
  EXPECT_EQ(set->candidates("ReplicationController").size(), 1u);
}

// Every rule type's paths are Pod paths under podTemplates, and print as the workload's.
TEST_F(Language, PodTemplatesApplyToEveryRuleType) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod], podTemplates: true, operations: [CREATE, UPDATE]}
  rules:
    - {name: limits, require: ["spec.containers[*].resources.limits"]}
    - {name: host, forbid: [spec.hostNetwork]}
    - {name: pinned, pattern: {path: "spec.containers[*].image", regex: "@sha256:"}}
    - {name: sa, immutable: [spec.serviceAccountName]}
)");
  const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: apps}
spec:
  template:
    spec:
      serviceAccountName: %
      hostNetwork: true
      containers: [{name: a, image: "api:1"}]
)";
  auto with = [&](const std::string& sa) { return std::string(deployment).replace(deployment.find('%'), 1, sa); };
  auto j = judge(p, with("api"), kUpdate, with("old"));
  std::vector<std::string> messages;
  for (const auto& v : j.decision.violations) messages.push_back(v.message);
  EXPECT_EQ(messages, (Strings{"spec.template.spec.containers[0].resources.limits must be set",
                               "spec.template.spec.hostNetwork must not be set",
                               "spec.template.spec.containers[0].image must match @sha256:",
                               "spec.template.spec.serviceAccountName cannot change once set"}));
  // The same policy on a Pod reads the Pod itself.
  j = judge(p, pod("  hostNetwork: true\n  containers: [{name: a, image: \"a@sha256:0\", resources: {limits: {cpu: 1}}}]\n"));
  EXPECT_EQ(j.paths(), (Strings{"spec.hostNetwork"}));
}

TEST(LanguageReads, PodTemplatePathsAreReadInsideEveryWorkload) {
  auto set = policies(policy_yaml("p", R"(
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - {name: r, deny: {path: metadata.annotations.x, equals: y}}
)"));
  static constexpr std::string_view kTemplateAnnotations[] = {"spec", "template", "metadata", "annotations"};
  static constexpr std::string_view kCronJobAnnotations[] = {"spec", "jobTemplate", "spec", "template", "metadata", "annotations"};
  static constexpr std::string_view kTemplateLabels[] = {"spec", "template", "metadata", "labels"};
  static constexpr std::string_view kManagedFields[] = {"metadata", "managedFields"};
  EXPECT_TRUE(set->reads(kTemplateAnnotations));
  EXPECT_TRUE(set->reads(kCronJobAnnotations));
  EXPECT_FALSE(set->reads(kTemplateLabels));
  EXPECT_FALSE(set->reads(kManagedFields));
}

TEST_F(Language, AnchoredPathsReadThePodUnderForEach) {
  // runAsNonRoot at Pod level, or on every container.
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: non-root
      forEach: "spec.containers[*]"
      expect:
        anyOf:
          - {path: securityContext.runAsNonRoot, equals: true}
          - {path: $.spec.securityContext.runAsNonRoot, equals: true}
)");
  EXPECT_TRUE(judge(p, pod("  securityContext: {runAsNonRoot: true}\n  containers: [{name: a, image: a}]\n")).allowed());
  auto j = judge(p, pod("  containers: [{name: a, image: a, securityContext: {runAsNonRoot: true}}, {name: b, image: b}]\n"));
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.message(),
            "p/non-root: Pod apps/web: none of: spec.containers[1].securityContext.runAsNonRoot is not set; expected "
            "equals true; spec.securityContext.runAsNonRoot is not set; expected equals true");
  // In a Deployment, `$.` is the Pod template.
  j = judge(p, R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: apps}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: false}
      containers: [{name: a, image: a}]
)");
  EXPECT_NE(j.message().find("spec.template.spec.securityContext.runAsNonRoot is false; expected equals true"),
            std::string::npos)
      << j.message();
}

// ---- value tests ------------------------------------------------------------------

TEST(Quantity, ParsesKubernetesQuantitiesAndComparesThemExactly) {
  auto q = [](std::string_view text) {
    auto parsed = Quantity::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(*Quantity::parse("0"));
  };
  EXPECT_EQ(q("1Ki"), q("1024"));
  EXPECT_EQ(q("1k"), q("1e3"));
  EXPECT_EQ(q("500m"), q("0.5"));
  EXPECT_EQ(q("1.5Gi"), q("1536Mi"));
  EXPECT_EQ(q("1E"), q("1e18"));
  EXPECT_EQ(q(".5"), q("5e-1"));
  EXPECT_EQ(q("0"), q("-0m"));
  EXPECT_EQ(compare(q("2G"), q("2Gi")), -1);
  EXPECT_EQ(compare(q("100m"), q("0.1")), 0);
  EXPECT_EQ(compare(q("-1"), q("0")), -1);
  EXPECT_EQ(compare(q("-2"), q("-1")), -1);
  EXPECT_EQ(compare(q("250m"), q("1")), -1);
  // Beyond double's precision: 1Ei + 1 is more than 1Ei.
  EXPECT_EQ(compare(q("1152921504606846977"), q("1Ei")), 1);
  EXPECT_EQ(compare(q("1152921504606846976"), q("1Ei")), 0);
  EXPECT_EQ(compare(q("1e-1000"), q("0")), 1);
  for (std::string_view bad : {"", "Gi", "1Zi", "1.2.3", "1e", "e3", "1 Gi", "+", "1Gi1", "1e1001", "--1"})
    EXPECT_FALSE(Quantity::parse(bad).has_value()) << bad;
}

TEST_F(Language, QuantityBoundsSayWhatFailedAndWhatWasExpected) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: memory
      forEach: "spec.containers[*]"
      expect: {path: resources.limits.memory, max: 2Gi, as: quantity}
)");
  auto j = judge(p, pod(R"(
  containers:
    - {name: a, image: a, resources: {limits: {memory: 2048Mi}}}
    - {name: b, image: b, resources: {limits: {memory: 4Gi}}}
    - {name: c, image: c, resources: {limits: {memory: lots}}}
)"));
  EXPECT_EQ(j.message(),
            "p/memory: Pod apps/web: spec.containers[1].resources.limits.memory is \"4Gi\"; expected max 2Gi (as "
            "quantity); spec.containers[2].resources.limits.memory is \"lots\"; expected max 2Gi (as quantity) (not a "
            "quantity)");
}

// Regression: a value that is not an integer was explained as "(not a integer)".
TEST_F(Language, AValueThatIsNotAnIntegerIsExplainedWithTheRightArticle) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: priority
      expect: {path: metadata.annotations.priority, min: 10, as: integer}
)");
  auto j = judge(p, R"(
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: apps, annotations: {priority: high}}
spec:
  containers: [{name: a, image: a}]
)");
  EXPECT_EQ(j.message(),
            "p/priority: Pod apps/web: metadata.annotations.priority is \"high\"; expected min 10 (as integer) (not an "
            "integer)");
}

// Regression: equals between an integer and a decimal compared through double, so
// 9007199254740993 (2^53 + 1) "equalled" 9007199254740992.0 while min/max (long
// double) ordered them apart.
TEST_F(Language, EqualsBetweenAnIntegerAndADecimalIsNotRoundedThroughDouble) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: priority
      deny: {path: spec.priority, equals: 9007199254740992.0}
)");
  EXPECT_TRUE(judge(p, pod("  priority: 9007199254740993\n  containers: [{name: a, image: a}]\n")).allowed());
  EXPECT_FALSE(judge(p, pod("  priority: 9007199254740992\n  containers: [{name: a, image: a}]\n")).allowed());
}

TEST_F(Language, EqualsInAndNotInAreTyped) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: ports
      deny: {any: "spec.containers[*].ports[*].hostPort", notIn: [0]}
    - name: restart
      expect: {path: spec.restartPolicy, in: [Always, OnFailure]}
    - name: replicas
      expect: {path: spec.priority, equals: 1}
)");
  auto j = judge(p, pod(R"(
  restartPolicy: Never
  priority: 1.0
  containers: [{name: a, image: a, ports: [{containerPort: 80, hostPort: 0}, {containerPort: 81, hostPort: 8081}]}]
)"));
  ASSERT_EQ(j.decision.violations.size(), 2u) << j.message();
  EXPECT_EQ(j.decision.violations[0].message,
            "Pod apps/web: spec.containers[0].ports[1].hostPort is 8081; denied: notIn [0]");
  EXPECT_EQ(j.decision.violations[1].message,
            "Pod apps/web: spec.restartPolicy is \"Never\"; expected in [\"Always\", \"OnFailure\"]");
}

TEST_F(Language, NumbersTypesRegexAndKeysIn) {
  // keysIn on each volume: an allow-list of volume types.
  const std::string volumes = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: volumes
      expect: {each: "spec.volumes[*]", keysIn: [name, configMap, secret, emptyDir, projected]}
    - name: run-as
      expect: {each: "spec.containers[*].securityContext.runAsUser", min: 1000}
    - name: apparmor
      expect: {each: 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]', in: [runtime/default]}
)");
  auto j = judge(volumes, R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: unconfined
    container.apparmor.security.beta.kubernetes.io/b: runtime/default
spec:
  volumes: [{name: data, hostPath: {path: /var}}, {name: cfg, configMap: {name: c}}]
  containers:
    - {name: a, image: a, securityContext: {runAsUser: 0}}
    - {name: b, image: b, securityContext: {runAsUser: "1000"}}
)");
  ASSERT_EQ(j.decision.violations.size(), 3u) << j.message();
  EXPECT_EQ(j.decision.violations[0].message,
            "Pod apps/web: spec.volumes[0] is {\"name\":\"data\",\"hostPath\":{\"path\":\"/var\"}}; expected keysIn "
            "[\"name\", \"configMap\", \"secret\", \"emptyDir\", \"projected\"]");
  EXPECT_EQ(j.decision.violations[1].message,
            "Pod apps/web: spec.containers[0].securityContext.runAsUser is 0; expected min 1000; "
            "spec.containers[1].securityContext.runAsUser is \"1000\"; expected min 1000 (not a number)");
  EXPECT_EQ(j.decision.violations[2].message,
            "Pod apps/web: metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/a\"] is "
            "\"unconfined\"; expected in [\"runtime/default\"]");
}

// ---- deny {} under when, names ----------------------------------------------------

TEST_F(Language, APlainDenyUnderWhenSaysWhy) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Service]}
  rules:
    - name: no-external-name
      when: {path: spec.type, equals: ExternalName}
      deny: {}
      message: "ExternalName Services are not allowed: {{detail}}"
)");
  const std::string service = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: apps}\nspec: {type: %}\n";
  auto with = [&](const std::string& type) { return std::string(service).replace(service.find('%'), 1, type); };
  auto j = judge(p, with("ExternalName"));
  EXPECT_EQ(j.message(),
            "p/no-external-name: ExternalName Services are not allowed: spec.type is \"ExternalName\"; denied: equals "
            "\"ExternalName\"");
  EXPECT_TRUE(judge(p, with("ClusterIP")).allowed());
  // A plain deny, no condition: every match is refused.
  const std::string frozen_ns = policy_yaml("p", R"(
  match: {kinds: [ConfigMap], names: ["locked-*"], excludeNames: ["*-scratch"]}
  rules:
    - {name: locked, deny: {}}
)");
  auto cm = [](const std::string& name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: apps}\n";
  };
  EXPECT_EQ(judge(frozen_ns, cm("locked-a")).message(), "p/locked: ConfigMap apps/locked-a: denied");
  EXPECT_TRUE(judge(frozen_ns, cm("open-a")).allowed());
  EXPECT_TRUE(judge(frozen_ns, cm("locked-scratch")).allowed());
}

TEST_F(Language, StateRulesJudgeTheOldObjectOnDeleteAndNotTransitions) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [ConfigMap], operations: [DELETE]}
  rules:
    - {name: keep, deny: {path: metadata.labels.keep, equals: "yes"}}
)");
  const std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps, labels: {keep: \"yes\"}}\n";
  auto j = judge(p, "", kDelete, cm);
  EXPECT_FALSE(j.allowed());
  EXPECT_EQ(j.paths(), (Strings{"metadata.labels.keep"}));
  auto set = policies(p);
  EXPECT_EQ(policy::judges(set->policies()[0].rules[0].spec), policy::Judges::State);
}

TEST_F(Language, ConditionsCompose) {
  const std::string p = policy_yaml("p", R"(
  match: {kinds: [Pod]}
  rules:
    - name: host
      deny:
        anyOf:
          - {path: spec.hostNetwork, equals: true}
          - {path: spec.hostPID, equals: true}
          - allOf:
              - {exists: spec.hostIPC}
              - {not: {path: spec.hostIPC, equals: false}}
    - name: no-root-user
      expect: {none: "spec.containers[*].securityContext.runAsUser", equals: 0}
)");
  EXPECT_TRUE(judge(p, pod("  hostNetwork: false\n  hostIPC: false\n  containers: [{name: a, image: a}]\n")).allowed());
  auto j = judge(p, pod("  hostIPC: true\n  containers: [{name: a, image: a, securityContext: {runAsUser: 0}}]\n"));
  ASSERT_EQ(j.decision.violations.size(), 2u) << j.message();
  EXPECT_EQ(j.decision.violations[0].message,
            "Pod apps/web: spec.hostIPC is set; spec.hostIPC is true; expected equals false");
  EXPECT_EQ(j.decision.violations[1].message,
            "Pod apps/web: spec.containers[0].securityContext.runAsUser is 0; expected none with equals 0");
}

TEST(LanguageReads, ForEachPathsAreJoinedForReads) {
  auto set = policies(kDropAll);
  EXPECT_FALSE(set->reads_managed_fields());
  static constexpr std::string_view kDrop[] = {"spec", "containers"};
  EXPECT_TRUE(set->reads(kDrop));
}

// ---- load errors ----------------------------------------------------------------

std::string load_error(const std::string& rules, const std::string& match = "{kinds: [Pod]}") {
  auto r = policy::load_sources({{"p.yaml", policy_yaml("p", "  match: " + match + "\n  rules:\n" + rules)}});
  EXPECT_FALSE(r.ok());
  return r.error_text();
}

TEST(LanguageErrors, EachLoadErrorNamesItsPlaceAndSuggests) {
  struct Case {
    std::string rules, match, expected;
  };
  const Case cases[] = {
      {"    - {name: r, deny: {path: spec.hostPID, equal: true}}\n", "{kinds: [Pod]}",
       "p.yaml:8:44: policy \"p\": spec.rules[0].deny: unknown field \"equal\""},
      {"    - {name: r, deny: {path: spec.hostPID, equal: true}}\n", "{kinds: [Pod]}", "did you mean \"equals\"?"},
      {"    - {name: r, deny: {path: spec.x, in: a}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.in: in takes a list of scalars, found \"a\""},
      {"    - {name: r, deny: {path: spec.x, equals: [a]}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.equals: equals takes a scalar (string, number, boolean or null), found a list"},
      {"    - {name: r, expect: {each: 'spec.volumes[*]', keysIn: [name, 1]}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect.keysIn[1]: keysIn entries are key globs (strings), found 1"},
      {"    - {name: r, expect: {path: spec.x, max: 2Gi}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect.max: max: 2Gi is not a number; did you mean as: quantity?"},
      {"    - {name: r, expect: {path: spec.x, max: 1.2.3, as: integer}}\n", "{kinds: [Pod]}",
       "max: 1.2.3 is not an integer; did you mean as: semver?"},
      {"    - {name: r, expect: {path: spec.x, equals: 1, as: quantity}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect.as: as says how min and max compare: it needs min or max"},
      {"    - {name: r, expect: {path: spec.x, min: 1, as: quantiy}}\n", "{kinds: [Pod]}", "did you mean \"quantity\"?"},
      {"    - {name: r, deny: {path: 'spec.containers[*].x', equals: 1}}\n", "{kinds: [Pod]}",
       "path reaches several values: write each:, any: or none: instead of path:"},
      {"    - {name: r, deny: {anyOf: []}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.anyOf: expected a non-empty list of conditions"},
      {"    - {name: r, when: {exists: spec.x}, require: [spec.y]}\n", "{kinds: [Pod]}",
       "spec.rules[0]: when applies to expect and deny rules, not to require"},
      {"    - {name: r, forEach: 'spec.x[*]', forbid: [spec.y]}\n", "{kinds: [Pod]}",
       "spec.rules[0]: forEach applies to expect and deny rules, not to forbid"},
      {"    - {name: r, deny: {}}\n", "{kinds: [Deployment], podTemplates: true}",
       "spec.match.podTemplates: podTemplates applies Pod rules to workload templates: kinds must name Pod"},
      {"    - {name: r, deny: {exists: status.phase}}\n", "{kinds: [Pod], podTemplates: true}",
       "\"status.phase\": with match.podTemplates a rule path is a Pod's path, so it starts with spec or metadata"},
      {"    - {name: r, deny: {exists: 'spec..x'}}\n", "{kinds: [Pod]}", "spec.rules[0].deny.exists: invalid path"},
      {"    - {name: r, deny: {path: spec.x, regex: '(('}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.regex: invalid RE2 regex"},
      {"    - {name: r, deny: {path: spec.x, anyOf: [{exists: spec.y}]}}\n", "{kinds: [Pod]}",
       "a condition has one of path, any, each, none, exists, anyOf, allOf or not; found path and anyOf"},
      {"    - {name: r, deny: {equals: 1}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny: equals tests a value: name it with path:, any:, each: or none:"},
      {"    - {name: r, expect: {path: spec.x}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect: path: spec.x needs at least one test"},
      {"    - {name: r, expect: {exists: spec.x, equals: 1}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect.equals: exists takes no tests (equals)"},
      {"    - {name: r, expect: {path: spec.x, type: strng}}\n", "{kinds: [Pod]}", "did you mean \"string\"?"},
      {"    - {name: r, expct: {path: spec.x, equals: 1}}\n", "{kinds: [Pod]}", "did you mean \"expect\"?"},
      {"    - {name: r, forEach: [], deny: {}}\n", "{kinds: [Pod]}",
       "spec.rules[0].forEach: expected a path or a non-empty list of paths"},
      {"    - {name: r, deny: {}}\n", "{kinds: [Pod, apps/Deployment], podTemplates: true}",
       "spec.match.podTemplates: kinds names Deployment, whose Pod template podTemplates already judges"},
      {"    - {name: r, frozen: {}}\n", "{kinds: [Pod], podTemplates: true}",
       "frozen guards whole objects: it cannot be used with match.podTemplates"},
      {"    - {name: r, deny: {}}\n", "{kinds: [Pod], names: []}", "spec.match.names: must name at least one name"},
      // A null value counts as not set, so no value test ever sees one: these could
      // never match, and a policy that relied on them silently judged nothing.
      {"    - {name: r, deny: {path: spec.x, equals: null}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.equals: equals: null never matches: a null value counts as not set (test for it with "
       "{not: {exists: P}})"},
      {"    - {name: r, deny: {any: 'spec.x[*]', in: [a, null]}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.in[1]: in: null never matches"},
      {"    - {name: r, expect: {path: spec.x, notIn: [~]}}\n", "{kinds: [Pod]}",
       "spec.rules[0].expect.notIn[0]: notIn: null never matches"},
      {"    - {name: r, deny: {path: spec.x, type: \"null\"}}\n", "{kinds: [Pod]}",
       "spec.rules[0].deny.type: type: null never matches: a null value counts as not set"},
  };
  for (const Case& c : cases) {
    std::string errors = load_error(c.rules, c.match);
    EXPECT_NE(errors.find(c.expected), std::string::npos) << c.rules << "\nexpected: " << c.expected << "\ngot: " << errors;
  }
}

}  // namespace
}  // namespace driftgate

namespace driftgate {
namespace {

// The fuzz seed of the 1.1 syntax is a valid set (so the fuzzer starts from the
// engine, not from the first load error) and every rule of it evaluates.
TEST(LanguageSeeds, TheFuzzSeedLoadsAndJudgesAWorkload) {
  auto files = policy::read_policy_files(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fuzz/corpus/loader_fuzz");
  ASSERT_TRUE(files.ok()) << files.error();
  std::vector<policy::SourceFile> seed;
  for (const auto& f : *files)
    if (f.path.ends_with("language-1.1.yaml")) seed.push_back(f);
  ASSERT_EQ(seed.size(), 1u);
  auto result = policy::load_sources(seed);
  ASSERT_TRUE(result.ok()) << result.error_text();
  Documents docs;
  auto object = docs.yaml(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web-1, namespace: apps}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: a, image: nginx, securityContext: {privileged: true}}]
)");
  auto decision = engine::evaluate(request(kCreate, object, {}), *result.set, kNow);
  EXPECT_FALSE(decision.allowed);
  std::vector<std::string> rules;
  for (const auto& v : decision.violations) rules.push_back(v.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"no-privileged", "drop-all", "latest-pulls-always", "non-root", "plain"}));
}

}  // namespace
}  // namespace driftgate
