#include "engine/engine.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "engine/diff.h"
#include "engine/owner.h"
#include "json/parse.h"
#include "test_support.h"

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


const std::string kGuard = policy_yaml("guard", R"(
  match:
    operations: [CREATE, UPDATE, DELETE]
    excludeNamespaces: [kube-system]
    objectSelector:
      anyOf:
        - labels: {kustomize.toolkit.fluxcd.io/name: "*"}
        - annotations: {argocd.argoproj.io/tracking-id: "*"}
      noneOf:
        - annotations: {kustomize.toolkit.fluxcd.io/reconcile: disabled}
    excludeSubjects:
      users: ["system:serviceaccount:flux-system:*"]
      groups: ["system:nodes"]
  breakGlass:
    groups: [oncall]
    maxWindow: 4h
  rules:
    - name: frozen
      frozen:
        ignore: ['metadata.annotations["kubectl.kubernetes.io/restartedAt"]']
      message: "{{kind}} {{namespace}}/{{name}} is managed by {{owner}}; change {{paths}} in Git instead"
    - name: stamp
      mutate:
        when: breakGlass
        patch:
          - {op: add, path: /metadata/annotations/driftgate.dev~1last-break-glass-by, value: "{{user}}"}
)");

std::string configmap(const std::string& extra_metadata, const std::string& data) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: apps\n"
         "  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}\n" +
         extra_metadata + "data: " + data + "\n";
}

class EngineTest : public ::testing::Test {
 protected:
  Documents docs;
};

TEST_F(EngineTest, ManualEditOfFluxObjectIsDeniedNamingPathAndOwner) {
  auto set = policies(kGuard);
  auto old_obj = docs.yaml(configmap("  resourceVersion: '1'\n", "{LOG_LEVEL: info, POOL: '20'}"));
  auto new_obj = docs.yaml(configmap("  resourceVersion: '2'\n", "{LOG_LEVEL: debug, POOL: '20', NEW: x}"));
  auto d = engine::evaluate(request(kUpdate, new_obj, old_obj), *set, kNow);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.message,
            "guard/frozen: ConfigMap apps/app-config is managed by Flux Kustomization flux-system/apps; change "
            "data.LOG_LEVEL, data.NEW in Git instead");
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].paths, (std::vector<std::string>{"data.LOG_LEVEL", "data.NEW"}));
}

TEST_F(EngineTest, ExcludedSubjectsAndNamespacesAreNotChecked) {
  auto set = policies(kGuard);
  auto old_obj = docs.yaml(configmap("", "{A: '1'}"));
  auto new_obj = docs.yaml(configmap("", "{A: '2'}"));
  EXPECT_TRUE(engine::evaluate(request(kUpdate, new_obj, old_obj, "system:serviceaccount:flux-system:kustomize-controller"),
                               *set, kNow).allowed);
  EXPECT_TRUE(engine::evaluate(request(kUpdate, new_obj, old_obj, "system:node:n1", {"system:nodes"}), *set, kNow).allowed);
  auto r = request(kUpdate, new_obj, old_obj);
  r.namespace_ = "kube-system";
  EXPECT_TRUE(engine::evaluate(r, *set, kNow).allowed);
}

TEST_F(EngineTest, RemovingTheGitOpsLabelDoesNotEscape) {
  auto set = policies(kGuard);
  auto old_obj = docs.yaml(configmap("", "{A: '1'}"));
  auto new_obj = docs.yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config, namespace: apps}\ndata: {A: '2'}\n");
  auto d = engine::evaluate(request(kUpdate, new_obj, old_obj), *set, kNow);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.message.find("metadata.labels[\"kustomize.toolkit.fluxcd.io/name\"]"), std::string::npos) << d.message;
}

TEST_F(EngineTest, OptOutAddedInTheSameWriteDoesNotEscapeButAnExistingOneDoes) {
  auto set = policies(kGuard);
  auto plain = docs.yaml(configmap("", "{A: '1'}"));
  auto opted_1 = docs.yaml(configmap("  annotations: {kustomize.toolkit.fluxcd.io/reconcile: disabled}\n", "{A: '1'}"));
  auto opted_2 = docs.yaml(configmap("  annotations: {kustomize.toolkit.fluxcd.io/reconcile: disabled}\n", "{A: '2'}"));
  EXPECT_FALSE(engine::evaluate(request(kUpdate, opted_2, plain), *set, kNow).allowed);
  EXPECT_TRUE(engine::evaluate(request(kUpdate, opted_2, opted_1), *set, kNow).allowed);
}

TEST_F(EngineTest, CreateAndDeleteOfManagedObjectsAreViolations) {
  auto set = policies(kGuard);
  auto obj = docs.yaml("apiVersion: v1\nkind: Service\nmetadata:\n  name: users-api\n  namespace: users\n"
                       "  annotations: {argocd.argoproj.io/tracking-id: 'users-api:/Service:users/users-api'}\n");
  auto del = engine::evaluate(request(kDelete, json::Value{}, obj), *set, kNow);
  EXPECT_FALSE(del.allowed);
  EXPECT_NE(del.message.find("Argo CD Application argocd/users-api"), std::string::npos) << del.message;
  EXPECT_FALSE(engine::evaluate(request(kCreate, obj, json::Value{}), *set, kNow).allowed);
}

TEST_F(EngineTest, IgnoredAndServerSetFieldsAreNotDrift) {
  auto set = policies(kGuard);
  auto old_obj = docs.yaml(configmap("  resourceVersion: '1'\n  managedFields: [{manager: a}]\n", "{A: '1'}") +
                           "status: {x: 1}\n");
  auto new_obj = docs.yaml(configmap("  resourceVersion: '2'\n  managedFields: [{manager: b}]\n"
                                     "  annotations: {kubectl.kubernetes.io/restartedAt: '2026-11-22T11:00:00Z'}\n",
                                     "{A: '1'}") + "status: {x: 2}\n");
  auto d = engine::evaluate(request(kUpdate, new_obj, old_obj), *set, kNow);
  EXPECT_TRUE(d.allowed) << d.message;
  EXPECT_TRUE(d.violations.empty());
}

// ---- break-glass --------------------------------------------------------------

class BreakGlassTest : public EngineTest {
 protected:
  engine::Decision write(const std::string& annotations, std::string_view user = "bob",
                         std::vector<std::string_view> groups = {"oncall"},
                         engine::Endpoint endpoint = engine::Endpoint::Validate) {
    auto old_obj = docs.yaml(configmap("", "{A: '1'}"));
    auto new_obj = docs.yaml(configmap("  annotations: " + annotations + "\n", "{A: '2'}"));
    return engine::evaluate(request(kUpdate, new_obj, old_obj, user, std::move(groups)), *set, kNow, endpoint);
  }
  std::shared_ptr<const policy::PolicySet> set = policies(kGuard);
};

TEST_F(BreakGlassTest, ValidWindowAllowsWithWarningAndAuditRecord) {
  auto d = write("{driftgate.dev/break-glass-until: '2026-11-22T14:00:00Z', driftgate.dev/break-glass-reason: INC-4312}");
  EXPECT_TRUE(d.allowed) << d.message;
  ASSERT_EQ(d.break_glass.size(), 1u);
  EXPECT_EQ(d.break_glass[0].user, "bob");
  EXPECT_EQ(d.break_glass[0].reason, "INC-4312");
  EXPECT_NE(std::find(d.break_glass[0].paths.begin(), d.break_glass[0].paths.end(), "data.A"), d.break_glass[0].paths.end());
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("break-glass by bob until 2026-11-22T14:00:00Z"), std::string::npos) << d.warnings[0];
  EXPECT_NE(d.warnings[0].find("commit"), std::string::npos);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_TRUE(d.violations[0].bypassed);
}

TEST_F(BreakGlassTest, EachFailedConditionIsNamed) {
  struct Case {
    std::string annotations, user, expected;
    std::vector<std::string_view> groups;
  } cases[] = {
      {"{driftgate.dev/break-glass-until: '2026-11-22T11:00:00Z', driftgate.dev/break-glass-reason: INC}", "bob",
       "the window expired at 2026-11-22T11:00:00Z", {"oncall"}},
      {"{driftgate.dev/break-glass-until: '2026-11-23T00:00:00Z', driftgate.dev/break-glass-reason: INC}", "bob",
       "longer than maxWindow 4h", {"oncall"}},
      {"{driftgate.dev/break-glass-until: '2026-11-22T13:00:00Z'}", "bob", "missing reason", {"oncall"}},
      {"{driftgate.dev/break-glass-until: '2026-11-22T13:00:00Z', driftgate.dev/break-glass-reason: '  '}", "bob",
       "missing reason", {"oncall"}},
      {"{driftgate.dev/break-glass-until: 'tomorrow', driftgate.dev/break-glass-reason: INC}", "bob",
       "is not an RFC 3339 time", {"oncall"}},
      {"{driftgate.dev/break-glass-until: '2026-11-22T13:00:00Z', driftgate.dev/break-glass-reason: INC}", "mallory",
       "user mallory may not break glass (allowed: groups oncall)", {"devs"}},
  };
  for (const Case& c : cases) {
    auto d = write(c.annotations, c.user, c.groups);
    EXPECT_FALSE(d.allowed) << c.expected;
    EXPECT_NE(d.message.find("(break-glass refused: "), std::string::npos) << d.message;
    EXPECT_NE(d.message.find(c.expected), std::string::npos) << d.message;
    EXPECT_TRUE(d.break_glass.empty());
  }
}

TEST_F(BreakGlassTest, MutateStampsOnlyValidBreakGlassWritesAddingTheWholeMap) {
  auto valid = write("{driftgate.dev/break-glass-until: '2026-11-22T14:00:00Z', driftgate.dev/break-glass-reason: INC}",
                     "bob", {"oncall"}, engine::Endpoint::Mutate);
  EXPECT_EQ(valid.patch, R"([{"op":"add","path":"/metadata/annotations/driftgate.dev~1last-break-glass-by","value":"bob"}])");
  auto refused = write("{driftgate.dev/break-glass-until: '2026-11-22T14:00:00Z', driftgate.dev/break-glass-reason: INC}",
                       "mallory", {"devs"}, engine::Endpoint::Mutate);
  EXPECT_EQ(refused.patch, "");
  EXPECT_TRUE(refused.allowed);  // /mutate never denies
}

TEST_F(EngineTest, PolicyWithoutBreakGlassCannotBeBypassed) {
  auto set = policies(policy_yaml("strict", "  rules:\n    - name: f\n      frozen: {}\n"));
  auto old_obj = docs.yaml(configmap("", "{A: '1'}"));
  auto new_obj = docs.yaml(configmap(
      "  annotations: {driftgate.dev/break-glass-until: '2026-11-22T13:00:00Z', driftgate.dev/break-glass-reason: INC}\n",
      "{A: '2'}"));
  auto d = engine::evaluate(request(kUpdate, new_obj, old_obj, "bob", {"oncall"}), *set, kNow);
  EXPECT_FALSE(d.allowed);
}

// ---- rule types -----------------------------------------------------------------

TEST_F(EngineTest, ExclusiveFindsConflictsAnywhereInHelmValuesAndYamlStrings) {
  auto set = policies(policy_yaml("conflicts", R"(
  rules:
    - name: flux
      exclusive: {at: spec.values.**, fields: [minAvailable, maxUnavailable]}
    - name: argo
      exclusive: {at: 'spec.source.helm.values|yaml.**', fields: [minAvailable, maxUnavailable]}
)"));
  auto hr = docs.yaml(R"(
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: kyverno, namespace: infra}
spec:
  values:
    admissionController:
      podDisruptionBudget: {enabled: true, minAvailable: 1, maxUnavailable: 1}
    cleanupController:
      podDisruptionBudget: {minAvailable: 1, maxUnavailable: null}
)");
  auto d = engine::evaluate(request(kCreate, hr, json::Value{}), *set, kNow);
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].paths,
            (std::vector<std::string>{"spec.values.admissionController.podDisruptionBudget.minAvailable",
                                      "spec.values.admissionController.podDisruptionBudget.maxUnavailable"}));
  auto app = docs.yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: kyverno, namespace: argocd}
spec:
  source:
    helm:
      values: |
        admissionController:
          podDisruptionBudget:
            minAvailable: 1
            maxUnavailable: 1
)");
  auto a = engine::evaluate(request(kCreate, app, json::Value{}), *set, kNow);
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("spec.source.helm.values|yaml.admissionController.podDisruptionBudget.minAvailable"),
            std::string::npos) << a.message;
}

TEST_F(EngineTest, RequireIsCheckedPerElementAndAbsentArraysHaveNoElements) {
  auto set = policies(policy_yaml("limits", R"(
  rules:
    - name: limits
      require: ["spec.containers[*].resources.limits", spec.serviceAccountName]
)"));
  auto pod = docs.yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: n}
spec:
  serviceAccountName: sa
  containers:
    - {name: a, resources: {limits: {cpu: 1}}}
    - {name: b}
)");
  auto d = engine::evaluate(request(kCreate, pod, json::Value{}), *set, kNow);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].paths, (std::vector<std::string>{"spec.containers[1].resources.limits"}));
  auto empty = docs.yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {serviceAccountName: sa}\n");
  EXPECT_TRUE(engine::evaluate(request(kCreate, empty, json::Value{}), *set, kNow).violations.empty());
  auto no_sa = docs.yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {serviceAccountName: null}\n");
  auto n = engine::evaluate(request(kCreate, no_sa, json::Value{}), *set, kNow);
  ASSERT_EQ(n.violations.size(), 1u);
  EXPECT_EQ(n.violations[0].paths, (std::vector<std::string>{"spec.serviceAccountName"}));
}

TEST_F(EngineTest, ForbidPatternImmutableAndModes) {
  auto set = policies(policy_yaml("forbid", "  mode: Warn\n  rules:\n    - name: host\n      forbid: [spec.hostNetwork]\n") +
                      "---\n" +
                      policy_yaml("digest", "  mode: Audit\n  rules:\n    - name: pin\n      pattern: {path: 'spec.containers[*].image', regex: '@sha256:[a-f0-9]{64}$'}\n") +
                      "---\n" +
                      policy_yaml("selector", "  rules:\n    - name: sel\n      immutable: [spec.selector]\n"));
  auto pod = docs.yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  selector: {app: b}
  containers: [{name: a, image: "nginx:latest"}, {name: b, image: "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]
)");
  auto old_pod = docs.yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {selector: {app: a}}\n");
  auto d = engine::evaluate(request(kUpdate, pod, old_pod), *set, kNow);
  EXPECT_FALSE(d.allowed);  // immutable is Enforce
  EXPECT_EQ(d.message, "selector/sel: spec.selector cannot change once set");
  ASSERT_EQ(d.warnings.size(), 1u);  // Warn: forbid
  EXPECT_EQ(d.warnings[0], "forbid/host: spec.hostNetwork must not be set");
  ASSERT_EQ(d.violations.size(), 3u);  // Audit violation recorded, not shown
  EXPECT_EQ(d.violations[1].policy, "digest");
  EXPECT_EQ(d.violations[1].paths, (std::vector<std::string>{"spec.containers[0].image"}));
}

TEST_F(EngineTest, MonotonicGuardsIntegerSemverAndTimeOrders) {
  auto set = policies(policy_yaml("rollback", R"(
  rules:
    - name: revision
      monotonic: {path: 'metadata.annotations["example.com/revision"]', order: integer}
    - name: version
      monotonic: {path: 'metadata.labels["app.kubernetes.io/version"]', order: semver}
    - name: deployed
      monotonic: {path: 'metadata.annotations["example.com/deployed-at"]', order: time}
)"));
  auto obj = [&](const std::string& rev, const std::string& ver, const std::string& t) {
    return docs.yaml("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {example.com/revision: '" +
                     rev + "', example.com/deployed-at: '" + t + "'}\n  labels: {app.kubernetes.io/version: '" + ver + "'}\n");
  };
  auto old_obj = obj("42", "1.10.0", "2026-11-22T10:00:00Z");
  auto forward = engine::evaluate(request(kUpdate, obj("43", "1.10.1", "2026-11-22T11:00:00Z"), old_obj), *set, kNow);
  EXPECT_TRUE(forward.violations.empty()) << forward.message;
  auto back = engine::evaluate(request(kUpdate, obj("41", "1.9.9", "2026-11-22T09:00:00Z"), old_obj), *set, kNow);
  ASSERT_EQ(back.violations.size(), 3u) << back.message;
  EXPECT_NE(back.message.find("went backwards from \"42\" to \"41\""), std::string::npos) << back.message;
  auto pre = engine::evaluate(request(kUpdate, obj("42", "1.10.0-rc.1", "2026-11-22T10:00:00Z"), old_obj), *set, kNow);
  ASSERT_EQ(pre.violations.size(), 1u);  // a pre-release sorts before its release
  EXPECT_EQ(pre.violations[0].rule, "version");
  auto garbage = engine::evaluate(request(kUpdate, obj("abc", "1.10.0", "2026-11-22T10:00:00Z"), old_obj), *set, kNow);
  ASSERT_EQ(garbage.violations.size(), 1u);
  EXPECT_NE(garbage.message.find("is not a valid integer"), std::string::npos) << garbage.message;
}

TEST_F(EngineTest, MutatePatchesAddIntoMissingMapsOnceAndSkipsDelete) {
  auto set = policies(policy_yaml("stamp", R"(
  match: {operations: [CREATE, UPDATE, DELETE]}
  rules:
    - name: stamp
      mutate:
        patch:
          - {op: add, path: /metadata/labels/team, value: platform}
          - {op: add, path: /metadata/labels/owner, value: "{{user}}"}
          - {op: replace, path: /spec/replicas, value: 2}
          - {op: remove, path: /spec/paused}
)"));
  auto obj = docs.yaml("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n");
  auto d = engine::evaluate(request(kCreate, obj, json::Value{}), *set, kNow, engine::Endpoint::Mutate);
  EXPECT_EQ(d.patch,
            R"([{"op":"add","path":"/metadata/labels","value":{"team":"platform"}},)"
            R"({"op":"add","path":"/metadata/labels/owner","value":"alice@example.com"},)"
            R"({"op":"add","path":"/spec/replicas","value":2}])");
  auto del = engine::evaluate(request(kDelete, json::Value{}, obj), *set, kNow, engine::Endpoint::Mutate);
  EXPECT_EQ(del.patch, "");
  // The validate endpoint never produces a patch.
  EXPECT_EQ(engine::evaluate(request(kCreate, obj, json::Value{}), *set, kNow).patch, "");
}

// Patch values are compiled at load (the parts without a template serialised
// once) and written through json::Writer per request: templates nested in objects
// and arrays, keys that need escaping, and a value wrapped in the maps it is missing.
TEST_F(EngineTest, MutatePatchValuesWithNestedTemplatesAreWrittenExactly) {
  auto set = policies(policy_yaml("stamp", R"(
  match: {operations: [CREATE]}
  rules:
    - name: stamp
      mutate:
        patch:
          - op: add
            path: /metadata/annotations/a~1b/c
            value: {who: "{{user}}", list: [1, "{{user}}", {k: "x\"y"}], fixed: {n: 1.5, t: true, z: null}}
          - {op: add, path: /metadata/name, value: ["{{user}}"]}
          - {op: add, path: /spec/tmpl, value: {"q\"k": "{{user}}"}}
)"));
  auto obj = docs.yaml("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n");
  auto d = engine::evaluate(request(kCreate, obj, json::Value{}), *set, kNow, engine::Endpoint::Mutate);
  EXPECT_EQ(d.patch,
            R"([{"op":"add","path":"/metadata/annotations","value":{"a/b":{"c":{"who":"alice@example.com",)"
            R"("list":[1,"alice@example.com",{"k":"x\"y"}],"fixed":{"n":1.5,"t":true,"z":null}}}}},)"
            R"({"op":"add","path":"/metadata/name","value":["alice@example.com"]},)"
            R"({"op":"add","path":"/spec/tmpl","value":{"q\"k":"alice@example.com"}}])");
  ASSERT_TRUE(json::parse(d.patch).ok()) << d.patch;
}

TEST_F(EngineTest, MatchByKindGroupVersionAndNamespaceGlobs) {
  auto set = policies(policy_yaml("apps-only", R"(
  match:
    kinds: ["apps/v1/Deploy*", "core/ConfigMap"]
    namespaces: ["team-*"]
  rules:
    - name: r
      forbid: [spec.paused]
)"));
  auto deploy = docs.yaml("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: team-a}\nspec: {paused: true}\n");
  EXPECT_FALSE(engine::evaluate(request(kCreate, deploy, json::Value{}), *set, kNow).allowed);
  auto other_ns = docs.yaml("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: prod}\nspec: {paused: true}\n");
  EXPECT_TRUE(engine::evaluate(request(kCreate, other_ns, json::Value{}), *set, kNow).allowed);
  auto beta = docs.yaml("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: a, namespace: team-a}\nspec: {paused: true}\n");
  EXPECT_TRUE(engine::evaluate(request(kCreate, beta, json::Value{}), *set, kNow).allowed);
  auto cm = docs.yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team-a}\nspec: {paused: true}\n");
  EXPECT_FALSE(engine::evaluate(request(kCreate, cm, json::Value{}), *set, kNow).allowed);
  // UPDATE is a default operation, DELETE is not.
  EXPECT_TRUE(engine::evaluate(request(kDelete, json::Value{}, deploy), *set, kNow).allowed);
}

TEST_F(EngineTest, ManyPoliciesForOtherKindsAreNotEvenMatched) {
  std::string yaml;
  for (int i = 0; i < 1000; ++i)
    yaml += policy_yaml("widget-" + std::to_string(i),
                        "  match: {kinds: [example.com/Widget" + std::to_string(i) + "]}\n  rules:\n    - {name: r, forbid: [spec]}\n") +
            "---\n";
  auto set = policies(yaml);
  EXPECT_TRUE(set->candidates("ConfigMap").empty());
  ASSERT_EQ(set->candidates("Widget7").size(), 1u);
  auto cm = docs.yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nspec: {}\n");
  auto d = engine::evaluate(request(kCreate, cm, json::Value{}), *set, kNow);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.matched_policies.empty());
}

TEST(OwnerTest, ReadsFluxArgoAndHelmMarkers) {
  Documents docs;
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {labels: {helm.toolkit.fluxcd.io/name: kyverno, helm.toolkit.fluxcd.io/namespace: infra, kustomize.toolkit.fluxcd.io/name: x}}")),
            "Flux HelmRelease infra/kyverno");
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}}")),
            "Flux Kustomization flux-system/apps");
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {annotations: {argocd.argoproj.io/tracking-id: 'team-a_web:apps/Deployment:web/web'}}")),
            "Argo CD Application team-a/web");
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {labels: {argocd.argoproj.io/instance: users-api}}")),
            "Argo CD Application argocd/users-api");
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {annotations: {meta.helm.sh/release-name: web, meta.helm.sh/release-namespace: team}}")),
            "Helm release team/web");
  EXPECT_EQ(engine::gitops_owner(docs.yaml("metadata: {name: x}")), "unknown owner");
}

TEST(DiffTest, ReportsEveryChangedLeafIncludingArraysAndReplacedContainers) {
  Documents docs;
  auto old_v = docs.yaml("{a: {b: 1, c: [1, 2, 3]}, d: x, e: {f: 1}}");
  auto new_v = docs.yaml("{a: {b: 2, c: [1, 5]}, d: {g: 1}, h: []}");
  auto changed = engine::changed_paths(old_v, new_v, {});
  EXPECT_EQ(changed, (std::vector<std::string>{"a.b", "a.c[1]", "a.c[2]", "d", "d.g", "h", "e.f"}));
}

TEST(DiffTest, DeepChangeAfterUnchangedSiblingsThenLaterChanges) {
  Documents docs;
  auto old_v = docs.yaml("{s: {x: 1, t: {u: [{a: 1}, {a: 2, b: {c: 1}}], v: 1}, w: 1}, m: {y: 2, x: 1}, z: 1}");
  auto new_v = docs.yaml("{s: {x: 1, t: {u: [{a: 1}, {a: 2, b: {c: 2}}], v: 1}, w: 2}, m: {x: 3, y: 2}, z: 1}");
  EXPECT_EQ(engine::changed_paths(old_v, new_v, {}), (std::vector<std::string>{"s.t.u[1].b.c", "s.w", "m.x"}));
  // Ignoring the subtree of the first difference still finds the ones after it.
  auto ignore = path::Path::parse("s.t");
  ASSERT_TRUE(ignore.ok());
  EXPECT_EQ(engine::changed_paths(old_v, new_v, {&*ignore}), (std::vector<std::string>{"s.w", "m.x"}));
}

// Two random documents that differ here and there (a changed scalar, a key added,
// dropped or moved, an array grown or shrunk, a container turned scalar), in the
// shape of an UPDATE: mostly the same.
void random_pair(std::mt19937& rng, int depth, std::string& a, std::string& b) {
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  auto scalar = [&] {
    switch (rng() % 4) {
      case 0: return std::to_string(rng() % 5);
      case 1: return std::string(rng() % 2 ? "true" : "null");
      case 2: return std::string(rng() % 2 ? "{}" : "[]");
      default: return "\"s" + std::to_string(rng() % 3) + "\"";
    }
  };
  if (depth == 0 || chance(30)) {
    std::string v = scalar();
    a += v;
    b += chance(10) ? scalar() : v;
    return;
  }
  if (chance(8)) {  // a container on one side only
    std::string x, y;
    random_pair(rng, depth - 1, x, y);
    a += scalar();
    b += "[" + y + "]";
    return;
  }
  const bool object = chance(70);
  const int n = static_cast<int>(rng() % 5);
  std::vector<std::string> xs, ys;
  for (int i = 0; i < n; ++i) {
    std::string x, y;
    random_pair(rng, depth - 1, x, y);
    std::string key = object ? "\"k" + std::to_string(i) + "\":" : "";
    if (!chance(5)) xs.push_back(key + x);
    if (!chance(5)) ys.push_back(key + y);
  }
  if (object && ys.size() > 1 && chance(15)) std::swap(ys.front(), ys.back());
  auto join = [&](const std::vector<std::string>& parts) {
    std::string out = object ? "{" : "[";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
    return out + (object ? "}" : "]");
  };
  a += join(xs);
  b += join(ys);
}

// What changed_paths must report: every leaf location of either side whose value
// differs from the other side's (absent = null). Leaves are scalars and empty
// containers; null is no value, and an empty container facing a container of
// the same kind is not a change of its own (what differs is inside).
std::set<std::string> changed_leaves(const json::Value& a, const json::Value& b) {
  std::set<std::string> out;
  path::Scratch scratch;
  path::Location location;
  std::function<void(const json::Value&)> leaves = [&](const json::Value& v) {
    if (v.is_object() && v.size() > 0) {
      for (const json::Member& m : v.members()) {
        location.push_key(m.key);
        leaves(m.value);
        location.pop();
      }
    } else if (v.is_array() && v.size() > 0) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        location.push_index(i);
        leaves(v.items()[i]);
        location.pop();
      }
    } else if (v.is_set()) {
      const json::Value x = path::lookup(a, location, scratch) ? *path::lookup(a, location, scratch) : json::Value{};
      const json::Value y = path::lookup(b, location, scratch) ? *path::lookup(b, location, scratch) : json::Value{};
      const bool same_kind_of_container = (x.is_object() && y.is_object()) || (x.is_array() && y.is_array());
      if (!same_kind_of_container && !(x == y)) out.insert(location.str());
    }
  };
  leaves(a);
  leaves(b);
  return out;
}

TEST(DiffTest, AgreesWithALeafByLeafComparisonOnRandomDocuments) {
  std::mt19937 rng(20261123);
  int with_changes = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string a, b;
    random_pair(rng, 5, a, b);
    auto old_doc = json::parse(a);
    auto new_doc = json::parse(b);
    ASSERT_TRUE(old_doc.ok() && new_doc.ok()) << a << "\n" << b;
    auto changed = engine::changed_paths(old_doc->root, new_doc->root, {});
    std::set<std::string> got(changed.begin(), changed.end());
    ASSERT_EQ(got.size(), changed.size()) << "reported twice";
    ASSERT_EQ(got, changed_leaves(old_doc->root, new_doc->root)) << "old: " << a << "\nnew: " << b;
    with_changes += !changed.empty();
  }
  EXPECT_GT(with_changes, 1000) << "the generator must produce differences";
}

}  // namespace
}  // namespace driftgate

namespace driftgate {
namespace {

TEST(WebhookGroupTest, PoliciesExcludingTheSameSubjectsShareAGroupAndTheFilterSelectsIt) {
  auto set = testing::policies(policy_yaml("guard-a", R"(
  match: {excludeSubjects: {users: ["system:serviceaccount:flux-system:*"], groups: [system:nodes]}}
  rules: [{name: r, forbid: [spec.a]}]
)") + "---\n" + policy_yaml("guard-b", R"(
  match: {excludeSubjects: {groups: [system:nodes], users: ["system:serviceaccount:flux-system:*"]}}
  rules: [{name: r, forbid: [spec.b]}]
)") + "---\n" + policy_yaml("fields", "  rules: [{name: r, forbid: [spec.c]}]\n"));
  const auto& p = set->policies();
  EXPECT_EQ(p[0].webhook_group, p[1].webhook_group);  // order of subjects does not matter
  EXPECT_EQ(p[0].webhook_group.rfind("x-", 0), 0u);
  EXPECT_EQ(p[2].webhook_group, "all");
  EXPECT_EQ(set->webhook_groups(), (std::vector<std::string>{p[0].webhook_group, "all"}));

  testing::Documents docs;
  auto obj = docs.yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {a: 1, b: 1, c: 1}\n");
  auto r = testing::request(policy::kCreate, obj, json::Value{});
  EXPECT_EQ(engine::evaluate(r, *set, kNow).violations.size(), 3u);
  EXPECT_EQ(engine::evaluate(r, *set, kNow, engine::Endpoint::Validate, "all").violations.size(), 1u);
  EXPECT_EQ(engine::evaluate(r, *set, kNow, engine::Endpoint::Validate, p[0].webhook_group).violations.size(), 2u);
  // A group the set does not know (a stale registration) evaluates everything.
  EXPECT_EQ(engine::evaluate(r, *set, kNow, engine::Endpoint::Validate, "x-00000000").violations.size(), 3u);
}

}  // namespace
}  // namespace driftgate

namespace driftgate {
namespace {

// Regression: the default message printed "ClusterRole /view-apps" for
// cluster-scoped objects; {{object}} prints "name" or "namespace/name".
TEST(MessageTest, ClusterScopedObjectsAreNamedWithoutALeadingSlash) {
  auto set = testing::policies(policy_yaml("guard", "  match: {operations: [DELETE]}\n  rules: [{name: f, frozen: {}}]\n"));
  testing::Documents docs;
  auto role = docs.yaml("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-apps\n"
                        "  labels: {kustomize.toolkit.fluxcd.io/name: rbac, kustomize.toolkit.fluxcd.io/namespace: flux-system}\n");
  auto d = engine::evaluate(testing::request(policy::kDelete, json::Value{}, role), *set, kNow);
  EXPECT_EQ(d.message, "guard/f: ClusterRole view-apps is managed by Flux Kustomization flux-system/rbac; delete it in Git instead");
}

// Regression (issue 13): the contract's own template `{{namespace}}/{{name}}` printed
// "ClusterRole /view-apps" (and "Namespace team-zz/team-zz" from the API server). For a
// cluster-scoped object `{{namespace}}` is empty, and the pair reads as `{{object}}`.
TEST(MessageTest, NamespaceSlashNameOfAClusterScopedObjectReadsAsItsName) {
  auto set = testing::policies(policy_yaml("guard", R"yaml(  match: {operations: [DELETE]}
  rules:
    - name: f
      frozen: {}
      message: "{{kind}} {{namespace}}/{{name}} is managed by {{owner}} (namespace: '{{namespace}}')"
)yaml"));
  testing::Documents docs;
  auto role = docs.yaml("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-apps\n"
                        "  labels: {kustomize.toolkit.fluxcd.io/name: rbac, kustomize.toolkit.fluxcd.io/namespace: flux-system}\n");
  auto d = engine::evaluate(testing::request(policy::kDelete, json::Value{}, role), *set, kNow);
  EXPECT_EQ(d.message, "guard/f: ClusterRole view-apps is managed by Flux Kustomization flux-system/rbac (namespace: '')");
  auto cm = docs.yaml("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: apps\n"
                      "  labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}\n");
  d = engine::evaluate(testing::request(policy::kDelete, json::Value{}, cm), *set, kNow);
  EXPECT_EQ(d.message, "guard/f: ConfigMap apps/app-config is managed by Flux Kustomization flux-system/apps (namespace: 'apps')");
}

// Regression: Helm merges YAML merge keys (<<) in values strings; a conflict that
// only arrives through a merge must still be found.
TEST(YamlMergeKeyTest, ConflictsArrivingThroughAMergeKeyAreFound) {
  auto set = testing::policies(policy_yaml("conflicts", R"(
  rules:
    - name: argo
      exclusive: {at: 'spec.source.helm.values|yaml.**', fields: [minAvailable, maxUnavailable]}
)"));
  testing::Documents docs;
  auto app = docs.yaml(R"(
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: kyverno, namespace: argocd}
spec:
  source:
    helm:
      values: |
        base: &b
          minAvailable: 1
        pdb:
          <<: *b
          maxUnavailable: 1
        other:
          <<: [{minAvailable: 2}, {maxUnavailable: 3}]
          minAvailable: 1
)");
  auto d = engine::evaluate(testing::request(policy::kCreate, app, json::Value{}), *set, kNow);
  ASSERT_EQ(d.violations.size(), 1u) << d.message;
  EXPECT_EQ(d.violations[0].paths,
            (std::vector<std::string>{"spec.source.helm.values|yaml.pdb.minAvailable",
                                      "spec.source.helm.values|yaml.pdb.maxUnavailable",
                                      "spec.source.helm.values|yaml.other.minAvailable",
                                      "spec.source.helm.values|yaml.other.maxUnavailable"}));
}

}  // namespace
}  // namespace driftgate
