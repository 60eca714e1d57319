// Forensics from metadata.managedFields (webhook/scan): fieldsV1 decoding and the
// findings for GitOps-managed objects. The managedFields shapes are those observed
// on a real kube-apiserver 1.28 (shared/design/kubernetes-facts.md).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/owner.h"
#include "json/parse.h"
#include "policy/loader.h"
#include "scan/forensics.h"
#include "scan/managed_fields.h"
#include "test_support.h"

namespace driftgate::scan {
namespace {

// Keeps the parsed objects alive for the test (test_support.h).
using Objects = testing::Documents;

// The default policy set, as shipped.
const policy::PolicySet& default_policies() {
  static const std::shared_ptr<const policy::PolicySet> set = [] {
    auto loaded = policy::load_directory(std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
    EXPECT_TRUE(loaded.ok()) << loaded.error_text();
    return loaded.set ? loaded.set : std::make_shared<const policy::PolicySet>();
  }();
  return *set;
}

std::vector<std::string> texts(const ObjectForensics& f) {
  std::vector<std::string> out;
  for (const Finding& finding : f.findings) out.push_back(finding.str());
  return out;
}

std::vector<std::string> paths(const std::vector<FieldPath>& fields) {
  std::vector<std::string> out;
  for (const FieldPath& f : fields) out.push_back(f.str());
  return out;
}

// A ConfigMap Flux applied (users/users-api-env from Kustomization flux-system/apps),
// with the managedFields entries given after Flux's.
std::string flux_configmap(std::string_view data, std::string_view more_entries) {
  return std::string(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"users-api-env","namespace":"users",
    "uid":"6f1c2b7e-0d3a-4c41-9a55-2f0e8c1d7b10","resourceVersion":"48213",
    "labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
    "managedFields":[
      {"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-04-01T09:00:00Z",
       "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:LOG_LEVEL":{}},
         "f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}})") +
         std::string(more_entries) + R"(]},"data":)" + std::string(data) + "}";
}

// A Deployment Flux applied (users/users-api), two containers; `entries` are all of
// its managedFields.
std::string flux_deployment(std::string_view entries) {
  return std::string(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"users-api","namespace":"users",
    "labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
    "annotations":{"deployment.kubernetes.io/revision":"4"},
    "managedFields":[)") + std::string(entries) + R"(]},
    "spec":{"replicas":5,"selector":{"matchLabels":{"app":"users-api"}},
      "template":{"metadata":{"labels":{"app":"users-api"},
                              "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-05-04T08:00:00Z"}},
        "spec":{"containers":[
          {"name":"metrics-sidecar","image":"ghcr.io/acme/metrics@sha256:1111111111111111111111111111111111111111111111111111111111111111"},
          {"name":"users-api","image":"ghcr.io/acme/users-api:hotfix","ports":[{"containerPort":8080,"protocol":"TCP"}]}]}}},
    "status":{"replicas":5}})";
}

constexpr std::string_view kFluxDeploymentApply = R"(
  {"manager":"kustomize-controller","operation":"Apply","apiVersion":"apps/v1","time":"2026-04-01T09:00:00Z",
   "fieldsType":"FieldsV1","fieldsV1":{
     "f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}},
     "f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
       "f:spec":{"f:containers":{
         "k:{\"name\":\"metrics-sidecar\"}":{".":{},"f:image":{},"f:name":{}},
         "k:{\"name\":\"users-api\"}":{".":{},"f:name":{},
           "f:ports":{"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}},
  {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2026-04-01T09:00:02Z",
   "subresource":"status","fieldsType":"FieldsV1","fieldsV1":{
     "f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}}},
     "f:status":{"f:replicas":{}}}})";

// ---- fieldsV1 ------------------------------------------------------------------

TEST(ManagedFields, DecodesFieldsListKeysSetValuesAndIndicesToLeaves) {
  Objects o;
  json::Value object = o.json(R"({"metadata":{"finalizers":["kubernetes.io/pvc-protection","example.com/x"],
    "labels":{"app":"web"}},"spec":{"args":["a","b","c"],
    "containers":[{"name":"web","ports":[{"containerPort":80,"protocol":"TCP"}]}]}})");
  json::Value fields = o.json(R"({
    "f:metadata":{"f:labels":{".":{},"f:app":{}},"f:finalizers":{".":{},"v:\"example.com/x\"":{}}},
    "f:spec":{"f:args":{"i:2":{}},"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{},
      "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},
      "f:paused":{".":{}}}})");
  auto decoded = decode_fields_v1(fields, object);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  // `.` beside other elements is not a leaf; `{".":{}}` alone is (spec.paused).
  EXPECT_EQ(paths(*decoded), (std::vector<std::string>{"metadata.labels.app", "metadata.finalizers[1]",
                                                       "spec.args[2]", "spec.containers[0].name",
                                                       "spec.containers[0].ports[0].containerPort", "spec.paused"}));
  for (const FieldPath& f : *decoded) EXPECT_TRUE(f.resolved()) << f.str();
}

TEST(ManagedFields, AKeyedEntryIsItsIndexInTheObjectOrItsSelectorWhenAbsent) {
  Objects o;
  json::Value fields = o.json(R"({"f:spec":{"f:containers":{"k:{\"name\":\"users-api\"}":{"f:image":{},
    "f:ports":{"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{"f:name":{}}}}},
    "f:finalizers":{"v:\"example.com/x\"":{}}}})");
  json::Value object = o.json(R"({"spec":{"containers":[{"name":"sidecar"},
    {"name":"users-api","ports":[{"containerPort":8080,"protocol":"UDP"},{"containerPort":8080,"protocol":"TCP"}]}]}})");
  auto found = decode_fields_v1(fields, object);
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(paths(*found), (std::vector<std::string>{"spec.containers[1].image", "spec.containers[1].ports[1].name",
                                                     "spec.finalizers[=\"example.com/x\"]"}));
  EXPECT_TRUE((*found)[0].resolved());
  EXPECT_FALSE((*found)[2].resolved());

  // Listed as metadata only: nothing to resolve against.
  auto absent = decode_fields_v1(fields, json::Value());
  ASSERT_TRUE(absent.ok()) << absent.error();
  EXPECT_EQ(paths(*absent), (std::vector<std::string>{"spec.containers[name=users-api].image",
                                                      "spec.containers[name=users-api].ports[containerPort=8080,protocol=TCP].name",
                                                      "spec.finalizers[=\"example.com/x\"]"}));
  EXPECT_FALSE((*absent)[0].resolved());
  // An unresolved entry is covered by [*] and **, never by an index.
  path::Location loc = (*absent)[0].location();
  EXPECT_TRUE(path::covers(*path::Path::parse("spec.containers[*].image"), loc));
  EXPECT_TRUE(path::covers(*path::Path::parse("spec.**"), loc));
  EXPECT_FALSE(path::covers(*path::Path::parse("spec.containers[0].image"), loc));
}

TEST(ManagedFields, JsonInListKeysAndSetValuesIsUnescaped) {
  Objects o;
  // The keys hold JSON text inside JSON: `k:{"name":"a\"b/c"}` with the slash as \u002f.
  json::Value fields = o.json(R"({"f:spec":{"f:containers":{"k:{\"name\":\"a\\\"b\\u002fc\"}":{"f:image":{}}},
    "f:finalizers":{"v:\"x\\u002fy\"":{}}},
    "f:data":{"f:key with \"quotes\"":{}}})");
  json::Value object = o.json(R"({"spec":{"containers":[{"name":"a\"b/c"}],"finalizers":["x/y"]}})");
  auto decoded = decode_fields_v1(fields, object);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(paths(*decoded), (std::vector<std::string>{"spec.containers[0].image", "spec.finalizers[0]",
                                                       "data[\"key with \\\"quotes\\\"\"]"}));
  auto unresolved = decode_fields_v1(fields, json::Value());
  ASSERT_TRUE(unresolved.ok());
  EXPECT_EQ((*unresolved)[0].str(), "spec.containers[name=\"a\\\"b/c\"].image");
  EXPECT_EQ((*unresolved)[1].str(), "spec.finalizers[=\"x/y\"]");
}

TEST(ManagedFields, MalformedFieldsV1IsAnErrorSayingWhere) {
  Objects o;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "expected an object"},
      {R"({"f:data":[]})", "expected an object at f:data"},
      {R"({"f:data":{"x:DB_HOST":{}}})", "unknown path element (expected f:, k:, v:, i: or .) at f:data/x:DB_HOST"},
      {R"({"f:data":{"DB_HOST":{}}})", "unknown path element"},
      {R"({"f:":{}})", "empty field name"},
      {R"({"f:spec":{"f:containers":{"k:{\"name\":":{}}}})", "list key is not JSON at f:spec/f:containers/k:{\"name\":"},
      {R"({"f:spec":{"f:containers":{"k:\"users-api\"":{}}}})", "a list key must be a non-empty JSON object"},
      {R"({"f:spec":{"f:containers":{"k:{}":{}}}})", "a list key must be a non-empty JSON object"},
      {R"({"f:finalizers":{"v:example.com/x":{}}})", "set value is not JSON"},
      {R"({"f:args":{"i:-1":{}}})", "invalid list index"},
      {R"({"f:args":{"i:99999999999999999999":{}}})", "invalid list index"},
      {R"({"f:data":{".":{"f:x":{}}}})", "\".\" must be {}"},
      {R"({"f:data":{"f:A":"x"}})", "expected an object at f:data/f:A"},
  };
  for (const auto& [text, want] : cases) {
    auto decoded = decode_fields_v1(o.json(text), json::Value());
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_NE(decoded.error().find(want), std::string::npos) << text << " -> " << decoded.error();
  }
}

TEST(ManagedFields, DepthIsBounded) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += R"({"f:a":)";
  deep += "{}";
  for (int i = 0; i < 100; ++i) deep += "}";
  Objects o;
  json::Value fields = o.json(deep);
  auto decoded = decode_fields_v1(fields, json::Value());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().find("nested deeper than the limit of 64"), std::string::npos) << decoded.error();
  auto allowed = decode_fields_v1(fields, json::Value(), {.max_depth = 128});
  ASSERT_TRUE(allowed.ok()) << allowed.error();
  EXPECT_EQ(allowed->size(), 1u);
}

TEST(ManagedFields, EntriesKeepManagerOperationSubresourceAndAnOptionalTime) {
  Objects o;
  json::Value object = o.json(flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1",
     "fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"})"));
  auto entries = read_managed_fields(object);
  ASSERT_TRUE(entries.ok()) << entries.error();
  ASSERT_EQ(entries->size(), 3u);
  const ManagedFieldsEntry& scale = (*entries)[2];
  EXPECT_EQ(scale.manager, "kubectl");
  EXPECT_EQ(scale.operation, "Update");
  EXPECT_EQ(scale.subresource, "scale");
  EXPECT_EQ(scale.api_version, "apps/v1");
  EXPECT_FALSE(scale.time.has_value());
  EXPECT_EQ(paths(scale.fields), std::vector<std::string>{"spec.replicas"});
  EXPECT_EQ((*entries)[0].time, testing::at("2026-04-01T09:00:00Z"));
  EXPECT_EQ((*entries)[1].subresource, "status");
}

TEST(ManagedFields, AMalformedEntryIsAnErrorNamingTheObjectAndTheManager) {
  Objects o;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"manager":"kubectl-edit","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"DB_HOST":{}}}})",
       R"(ConfigMap users/users-api-env: metadata.managedFields[1] (manager "kubectl-edit"): fieldsV1: unknown path element (expected f:, k:, v:, i: or .) at f:data/DB_HOST)"},
      {R"({"manager":"kubectl-edit","operation":"Patch","fieldsType":"FieldsV1","fieldsV1":{}})",
       R"((manager "kubectl-edit"): operation must be Apply or Update, not "Patch")"},
      {R"({"manager":"kubectl-edit","operation":"Update","fieldsType":"FieldsV2","fieldsV1":{}})",
       "fieldsType must be FieldsV1"},
      {R"({"manager":"kubectl-edit","operation":"Update","time":"yesterday","fieldsType":"FieldsV1","fieldsV1":{}})",
       R"(time "yesterday" is not an RFC 3339 timestamp)"},
      {R"({"manager":7,"operation":"Update"})", "manager is not a string"},
      {R"("kubectl-edit")", "metadata.managedFields[1] is not an object"},
  };
  for (const auto& [entry, want] : cases) {
    json::Value object = o.json(flux_configmap(R"({"LOG_LEVEL":"info"})", "," + entry));
    auto entries = read_managed_fields(object);
    ASSERT_FALSE(entries.ok()) << entry;
    EXPECT_NE(entries.error().find(want), std::string::npos) << entries.error();
    EXPECT_EQ(entries.error().rfind("ConfigMap users/users-api-env: ", 0), 0u) << entries.error();
  }
  auto not_a_list = read_managed_fields(o.json(R"({"kind":"Namespace","metadata":{"name":"team-zz","managedFields":{}}})"));
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_EQ(not_a_list.error(), "Namespace team-zz: metadata.managedFields is not a list");
}

// ---- findings --------------------------------------------------------------------

TEST(Forensics, KubectlPatchOfAFluxConfigMapIsAFindingWithItsTime) {
  Objects o;
  // `kubectl patch` moved data.DB_HOST out of kustomize-controller's entry.
  json::Value object = o.json(flux_configmap(R"({"LOG_LEVEL":"info","DB_HOST":"db-2.internal"})", R"(,
    {"manager":"kubectl-patch","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->object, "ConfigMap users/users-api-env");
  EXPECT_EQ(result->owner.str(), "Flux Kustomization flux-system/apps");
  EXPECT_EQ(result->guards, std::vector<std::string>{"gitops-ownership/no-manual-edits"});
  EXPECT_TRUE(result->has_managed_fields);
  ASSERT_EQ(result->findings.size(), 1u);
  const Finding& f = result->findings[0];
  EXPECT_EQ(f.str(), "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST set by "
                     "kubectl-patch at 2026-05-03T02:14:00Z");
  EXPECT_EQ(f.api_version, "v1");
  EXPECT_EQ(f.kind, "ConfigMap");
  EXPECT_EQ(f.namespace_, "users");
  EXPECT_EQ(f.name, "users-api-env");
  EXPECT_EQ(f.uid, "6f1c2b7e-0d3a-4c41-9a55-2f0e8c1d7b10");
  EXPECT_EQ(f.path, "data.DB_HOST");
  EXPECT_TRUE(f.path_resolved);
  EXPECT_EQ(f.manager, "kubectl-patch");
  EXPECT_EQ(f.operation, "Update");
  EXPECT_EQ(f.subresource, "");
  EXPECT_EQ(f.time, testing::at("2026-05-03T02:14:00Z"));
  EXPECT_EQ(f.policy, "gitops-ownership");
  EXPECT_EQ(f.rule, "no-manual-edits");
}

TEST(Forensics, KubectlEditIsAFinding) {
  Objects o;
  // `kubectl edit` changed LOG_LEVEL (it left kustomize-controller's entry) and
  // added DEBUG_SQL; one entry per manager and operation, with the last write's time.
  json::Value object = o.json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"users-api-env","namespace":"users",
    "labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
    "managedFields":[
      {"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-04-01T09:00:00Z",
       "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}},
         "f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}},
      {"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z",
       "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DEBUG_SQL":{},"f:LOG_LEVEL":{}}}}]},
    "data":{"DB_HOST":"db-1.internal","DEBUG_SQL":"true","LOG_LEVEL":"debug"}})");
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(texts(*result),
            (std::vector<std::string>{
                "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DEBUG_SQL set by kubectl-edit "
                "at 2026-05-03T02:14:00Z",
                "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.LOG_LEVEL set by kubectl-edit "
                "at 2026-05-03T02:14:00Z"}));
}

TEST(Forensics, AFluxApplyThatTookTheFieldBackLeavesNoFinding) {
  Objects o;
  // After the forced apply, kustomize-controller owns data.DB_HOST again and the
  // kubectl-patch entry is gone (an entry that owns nothing is dropped).
  json::Value object = o.json(std::string(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"users-api-env",
    "namespace":"users","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
    "managedFields":[{"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-03T02:20:00Z",
      "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{},"f:LOG_LEVEL":{}},
      "f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}}]},
    "data":{"DB_HOST":"db-1.internal","LOG_LEVEL":"info"}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_FALSE(result->guards.empty());
  EXPECT_TRUE(result->findings.empty()) << ::testing::PrintToString(texts(*result));
}

TEST(Forensics, KubectlScaleWithoutTimeFollowsThePolicySet) {
  Objects o;
  json::Value object = o.json(flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1",
     "fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"})"));
  // The default gitops-ownership does not ignore spec.replicas: Git sets it, and the
  // next reconcile would undo the scale.
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->findings.size(), 1u) << ::testing::PrintToString(texts(*result));
  const Finding& f = result->findings[0];
  EXPECT_EQ(f.path, "spec.replicas");
  EXPECT_EQ(f.subresource, "scale");
  EXPECT_FALSE(f.time.has_value());
  EXPECT_EQ(f.str(), "Deployment users/users-api (Flux Kustomization flux-system/apps): spec.replicas set by kubectl "
                     "through /scale, no time recorded");

  // A guard whose frozen rule ignores spec.replicas (replicas left to an HPA) makes it runtime state.
  auto hpa_friendly = testing::policies(R"(
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: gitops-ownership}
spec:
  match:
    operations: [UPDATE]
    objectSelector:
      anyOf: [{labels: {kustomize.toolkit.fluxcd.io/name: "*"}}]
  rules:
    - name: no-manual-edits
      frozen:
        ignore: [spec.replicas]
)");
  auto ignored = forensics(object, *hpa_friendly);
  ASSERT_TRUE(ignored.ok()) << ignored.error();
  EXPECT_EQ(ignored->guards, std::vector<std::string>{"gitops-ownership/no-manual-edits"});
  EXPECT_TRUE(ignored->findings.empty()) << ::testing::PrintToString(texts(*ignored));
}

TEST(Forensics, RolloutRestartIsRuntimeStateBecauseThePolicyIgnoresIt) {
  Objects o;
  json::Value object = o.json(flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kubectl-rollout","operation":"Update","apiVersion":"apps/v1","time":"2026-05-04T08:00:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:metadata":{"f:annotations":{".":{},
       "f:kubectl.kubernetes.io/restartedAt":{}}}}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->findings.empty()) << ::testing::PrintToString(texts(*result));

  // Without that ignore entry it would be one.
  auto strict = testing::policies(R"(
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: strict}
spec:
  match: {operations: [UPDATE]}
  rules: [{name: frozen, frozen: {}}]
)");
  auto found = forensics(object, *strict);
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_EQ(found->findings.size(), 1u);
  EXPECT_EQ(found->findings[0].path, R"(spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"])");
  EXPECT_EQ(found->findings[0].policy, "strict");
}

TEST(Forensics, KubectlSetImageNamesTheContainerByItsIndex) {
  Objects o;
  json::Value object = o.json(flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kubectl-set","operation":"Update","apiVersion":"apps/v1","time":"2026-05-05T14:02:11Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
       "k:{\"name\":\"users-api\"}":{"f:image":{}}}}}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->findings.size(), 1u) << ::testing::PrintToString(texts(*result));
  EXPECT_EQ(result->findings[0].path, "spec.template.spec.containers[1].image");
  EXPECT_TRUE(result->findings[0].path_resolved);
  EXPECT_EQ(result->findings[0].str(),
            "Deployment users/users-api (Flux Kustomization flux-system/apps): spec.template.spec.containers[1].image "
            "set by kubectl-set at 2026-05-05T14:02:11Z");

  // Listed as metadata only (PartialObjectMetadata): the container keeps its name.
  json::Value metadata_only = o.json(std::string(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":)") +
                                     json::to_string(*object.find("metadata")) + "}");
  auto partial = forensics(metadata_only, default_policies());
  ASSERT_TRUE(partial.ok()) << partial.error();
  ASSERT_EQ(partial->findings.size(), 1u);
  EXPECT_EQ(partial->findings[0].path, "spec.template.spec.containers[name=users-api].image");
  EXPECT_FALSE(partial->findings[0].path_resolved);
}

TEST(Forensics, AnObjectWithoutGitOpsMarkersHasNoFindings) {
  Objects o;
  json::Value object = o.json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"scratch","namespace":"users",
    "managedFields":[{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z",
      "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}}]},"data":{"DB_HOST":"x"}})");
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->owner.tool, engine::GitOpsTool::None);
  EXPECT_TRUE(result->has_managed_fields);
  EXPECT_TRUE(result->guards.empty());
  EXPECT_TRUE(result->findings.empty());
}

TEST(Forensics, AnObjectNoPolicyGuardsIsNotLookedAt) {
  Objects o;
  // Flux's opt-out on the live object: gitops-ownership's objectSelector excludes it.
  json::Value opted_out = o.json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"users-api-env","namespace":"users",
    "labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
    "annotations":{"kustomize.toolkit.fluxcd.io/reconcile":"disabled"},
    "managedFields":[{"manager":"kubectl-edit","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}}]},
    "data":{"DB_HOST":"x"}})");
  auto result = forensics(opted_out, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->owner.tool, engine::GitOpsTool::FluxKustomization);
  EXPECT_TRUE(result->guards.empty());
  EXPECT_TRUE(result->findings.empty());
  // kube-system is excluded by the default set; an empty set guards nothing.
  auto empty = forensics(o.json(flux_configmap(R"({"DB_HOST":"x"})", R"(,
    {"manager":"kubectl-edit","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}})")),
                         policy::PolicySet());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->findings.empty());
}

TEST(Forensics, AMalformedFieldsV1IsAnErrorValue) {
  Objects o;
  json::Value object = o.json(flux_configmap(R"({"DB_HOST":"x"})", R"(,
    {"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"k:{not json}":{}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(),
            R"(ConfigMap users/users-api-env: metadata.managedFields[1] (manager "kubectl-edit"): fieldsV1: list key is not JSON at f:data/k:{not json})");
}

TEST(Forensics, KindScopedIgnoresApplyOnlyToTheirKinds) {
  Objects o;
  // `flux suspend` on a Kustomization that Flux itself applies (flux-system/apps
  // from Kustomization flux-system/flux-system): a control, not drift.
  json::Value kustomization = o.json(R"({"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
    "metadata":{"name":"apps","namespace":"flux-system",
      "labels":{"kustomize.toolkit.fluxcd.io/name":"flux-system","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
      "managedFields":[{"manager":"flux","operation":"Update","apiVersion":"kustomize.toolkit.fluxcd.io/v1",
        "time":"2026-05-06T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:suspend":{}}}}]},
    "spec":{"suspend":true}})");
  auto control = forensics(kustomization, default_policies());
  ASSERT_TRUE(control.ok()) << control.error();
  EXPECT_FALSE(control->guards.empty());
  EXPECT_TRUE(control->findings.empty()) << ::testing::PrintToString(texts(*control));
  // The same field on a CronJob is drift.
  json::Value cronjob = o.json(R"({"apiVersion":"batch/v1","kind":"CronJob",
    "metadata":{"name":"nightly","namespace":"users",
      "labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},
      "managedFields":[{"manager":"kubectl-patch","operation":"Update","apiVersion":"batch/v1",
        "time":"2026-05-06T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:suspend":{}}}}]},
    "spec":{"suspend":true}})");
  auto drift = forensics(cronjob, default_policies());
  ASSERT_TRUE(drift.ok()) << drift.error();
  EXPECT_EQ(texts(*drift), std::vector<std::string>{"CronJob users/nightly (Flux Kustomization flux-system/apps): "
                                                    "spec.suspend set by kubectl-patch at 2026-05-06T10:00:00Z"});
}

TEST(Forensics, RuntimeWritersStatusAndFieldsTheGitOpsToolAlsoOwnsAreNotFindings) {
  Objects o;
  json::Value object = o.json(flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2026-04-02T00:00:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}},
    {"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","time":"2026-04-02T00:00:00Z",
     "subresource":"status","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:replicas":{}}}},
    {"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1","time":"2026-04-02T00:00:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},
       "f:kubectl.kubernetes.io/last-applied-configuration":{}},
       "f:labels":{".":{},"f:kustomize.toolkit.fluxcd.io/name":{}}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  // kube-controller-manager is a runtime writer, status and last-applied-configuration
  // are ignored by the guard, and the label is co-owned with kustomize-controller.
  EXPECT_TRUE(result->findings.empty()) << ::testing::PrintToString(texts(*result));
}

TEST(Forensics, BeforeFirstApplyIsAFindingOfAnUnknownWriter) {
  Objects o;
  // Created with kubectl create, then adopted by Flux: what Git does not set stays
  // with the API server's "before-first-apply" manager.
  json::Value object = o.json(flux_configmap(R"({"LOG_LEVEL":"info","LEGACY_FLAG":"on"})", R"(,
    {"manager":"before-first-apply","operation":"Update","apiVersion":"v1","time":"2026-04-01T09:00:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:LEGACY_FLAG":{}}}})"));
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(texts(*result), std::vector<std::string>{
                                "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.LEGACY_FLAG "
                                "set by before-first-apply at 2026-04-01T09:00:00Z"});
}

TEST(Forensics, ManagersAreConfiguration) {
  Objects o;
  json::Value object = o.json(flux_configmap(R"({"LOG_LEVEL":"info","DB_HOST":"x"})", R"(,
    {"manager":"vault-injector","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}})"));
  auto defaults = forensics(object, default_policies());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->findings.size(), 1u);

  ForensicsOptions options;
  options.managers.runtime_writers.push_back("vault-injector");
  auto configured = forensics(object, default_policies(), options);
  ASSERT_TRUE(configured.ok());
  EXPECT_TRUE(configured->findings.empty());

  // Flux renamed: its own fields become someone else's.
  ForensicsOptions renamed;
  renamed.managers.flux_kustomization = {"flux-applier"};
  auto other = forensics(object, default_policies(), renamed);
  ASSERT_TRUE(other.ok());
  std::vector<std::string> found;
  for (const Finding& f : other->findings) found.push_back(f.path + " " + f.manager);
  EXPECT_EQ(found, (std::vector<std::string>{"data.LOG_LEVEL kustomize-controller",
                                             R"(metadata.labels["kustomize.toolkit.fluxcd.io/name"] kustomize-controller)",
                                             R"(metadata.labels["kustomize.toolkit.fluxcd.io/namespace"] kustomize-controller)",
                                             "data.DB_HOST vault-injector"}));
}

TEST(Forensics, ArgoCdObjectsAreJudgedAgainstArgoCdsManager) {
  Objects o;
  json::Value object = o.json(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"web",
    "annotations":{"argocd.argoproj.io/tracking-id":"team-a_web:/Service:web/web"},
    "managedFields":[
      {"manager":"argocd-controller","operation":"Update","apiVersion":"v1","time":"2026-04-01T09:00:00Z",
       "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:argocd.argoproj.io/tracking-id":{}}},
         "f:spec":{"f:ports":{".":{},"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{},"f:targetPort":{}}}}}},
      {"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-04-02T09:00:00Z",
       "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:type":{}}}}]},
    "spec":{"type":"NodePort","ports":[{"port":80,"protocol":"TCP","targetPort":8080}]}})");
  auto result = forensics(object, default_policies());
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->owner.str(), "Argo CD Application team-a/web");
  // Another GitOps tool writing an Argo CD object is drift too.
  EXPECT_EQ(texts(*result), std::vector<std::string>{"Service web/web (Argo CD Application team-a/web): spec.type "
                                                     "applied by kustomize-controller at 2026-04-02T09:00:00Z"});
}

// Every one-character corruption of a real object that still parses as JSON gives
// findings or an error value, never a crash (the ASan build runs this too).
TEST(Forensics, CorruptedManagedFieldsNeverCrash) {
  const std::string text = flux_deployment(std::string(kFluxDeploymentApply) + R"(,
    {"manager":"kubectl-set","operation":"Update","apiVersion":"apps/v1","time":"2026-05-05T14:02:11Z",
     "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{
       "k:{\"name\":\"users-api\"}":{"f:image":{}}}}}}}})");
  const std::size_t start = text.find("managedFields");
  std::size_t parsed = 0, errors = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    for (char c : {'"', '{', '}', '[', ':', '\\', 'x', '.'}) {
      std::string mutated = text;
      mutated[i] = c;
      auto doc = json::parse(mutated);
      if (!doc) continue;
      ++parsed;
      auto result = forensics(doc->root, default_policies());
      if (!result) ++errors;
    }
  }
  EXPECT_GT(parsed, 100u);
  EXPECT_GT(errors, 10u);
}

TEST(Forensics, OwnerDetectionIsTheEnginesStructured) {
  Objects o;
  auto owner = engine::find_gitops_owner(o.json(R"({"metadata":{"labels":{"helm.toolkit.fluxcd.io/name":"kyverno",
    "helm.toolkit.fluxcd.io/namespace":"infra"},"annotations":{"meta.helm.sh/release-name":"kyverno"}}})"));
  EXPECT_EQ(owner.tool, engine::GitOpsTool::FluxHelmRelease);
  EXPECT_EQ(owner.namespace_, "infra");
  EXPECT_EQ(owner.name, "kyverno");
  EXPECT_EQ(owner.str(), "Flux HelmRelease infra/kyverno");
  ManagerConfig managers;
  EXPECT_EQ(managers.gitops_writers(owner.tool), std::vector<std::string>{"helm-controller"});
  EXPECT_TRUE(managers.gitops_writers(engine::GitOpsTool::None).empty());
}

}  // namespace
}  // namespace driftgate::scan
