// The request path, case by case: decode (simdjson + AdmissionReview), evaluate,
// encode, and all of it through admission::handle; the same against 1,000
// policies for other kinds; and loading 1,000 policies (`driftgate check`).
//
// The review is generated here, and `engine_bench --write-fixture PATH` writes the
// very same bytes to bench/fixtures/deployment-update.json for the load test.
//
//   build/bench/engine_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admission/handle.h"
#include "admission/review.h"
#include "engine/engine.h"
#include "json/parse.h"
#include "policy/loader.h"
#include "util/time.h"

namespace {

using namespace driftgate;
using Json = nlohmann::ordered_json;  // keeps the key order the API server writes

// ---- the review ----------------------------------------------------------------

Json container(const std::string& name, const std::string& image, int port) {
  Json env = Json::array();
  for (int i = 0; i < 4; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "USERS_API_SETTING_%02d", i);
    env.push_back({{"name", key}, {"value", "value-" + name + "-" + std::to_string(i) + "-lorem-ipsum"}});
  }
  env.push_back({{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.name"}}}}}});
  env.push_back({{"name", "DB_PASSWORD"},
                 {"valueFrom", {{"secretKeyRef", {{"name", "users-api-db"}, {"key", "password"}}}}}});
  Json probe = {{"httpGet", {{"path", "/healthz"}, {"port", port}, {"scheme", "HTTP"}}},
                {"periodSeconds", 10},
                {"failureThreshold", 3}};
  Json readiness = probe;
  readiness["httpGet"]["path"] = "/ready";
  return {{"name", name},
          {"image", image},
          {"imagePullPolicy", "IfNotPresent"},
          {"ports", {{{"name", "http"}, {"containerPort", port}, {"protocol", "TCP"}}}},
          {"env", env},
          {"resources", {{"limits", {{"cpu", "1"}, {"memory", "512Mi"}}}, {"requests", {{"cpu", "250m"}, {"memory", "256Mi"}}}}},
          {"livenessProbe", probe},
          {"readinessProbe", readiness},
          {"securityContext",
           {{"allowPrivilegeEscalation", false}, {"readOnlyRootFilesystem", true}, {"capabilities", {{"drop", {"ALL"}}}}}},
          {"volumeMounts", {{{"name", "tmp"}, {"mountPath", "/tmp"}}, {{"name", "config"}, {"mountPath", "/etc/users-api"}, {"readOnly", true}}}}};
}

// fieldsV1 of a container as server-side apply records it.
Json container_fields(const std::string& name) {
  Json env = Json::object();
  for (int i = 0; i < 3; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "k:{\"name\":\"USERS_API_SETTING_%02d\"}", i);
    env[key] = {{".", Json::object()}, {"f:name", Json::object()}, {"f:value", Json::object()}};
  }
  return {{"k:{\"name\":\"" + name + "\"}",
           {{".", Json::object()},
            {"f:env", env},
            {"f:image", Json::object()},
            {"f:name", Json::object()},
            {"f:resources", {{"f:limits", {{"f:cpu", Json::object()}, {"f:memory", Json::object()}}}}}}}};
}

Json deployment(const std::string& api_image, const std::string& owner_annotation, const std::string& resource_version,
                int generation) {
  Json fields_containers = Json::object();
  for (const char* name : {"api", "envoy", "log-shipper"}) fields_containers.update(container_fields(name));
  Json managed = Json::array();
  managed.push_back({{"manager", "kustomize-controller"},
                     {"operation", "Apply"},
                     {"apiVersion", "apps/v1"},
                     {"time", "2026-11-20T10:00:00Z"},
                     {"fieldsType", "FieldsV1"},
                     {"fieldsV1",
                      {{"f:metadata",
                        {{"f:annotations", {{"f:meta.example.com/owner", Json::object()}}},
                         {"f:labels",
                          {{"f:app.kubernetes.io/name", Json::object()},
                           {"f:kustomize.toolkit.fluxcd.io/name", Json::object()},
                           {"f:kustomize.toolkit.fluxcd.io/namespace", Json::object()}}}}},
                       {"f:spec",
                        {{"f:replicas", Json::object()},
                         {"f:selector", Json::object()},
                         {"f:template",
                          {{"f:metadata", {{"f:labels", {{"f:app.kubernetes.io/name", Json::object()}}}}},
                           {"f:spec", {{"f:containers", fields_containers}, {"f:serviceAccountName", Json::object()}}}}}}}}}});
  managed.push_back({{"manager", "kube-controller-manager"},
                     {"operation", "Update"},
                     {"apiVersion", "apps/v1"},
                     {"time", "2026-11-21T09:12:44Z"},
                     {"fieldsType", "FieldsV1"},
                     {"fieldsV1",
                      {{"f:metadata", {{"f:annotations", {{"f:deployment.kubernetes.io/revision", Json::object()}}}}},
                       {"f:status",
                        {{"f:availableReplicas", Json::object()},
                         {"f:conditions",
                          {{"k:{\"type\":\"Available\"}", {{".", Json::object()}, {"f:status", Json::object()}}},
                           {"k:{\"type\":\"Progressing\"}", {{".", Json::object()}, {"f:status", Json::object()}}}}},
                         {"f:observedGeneration", Json::object()},
                         {"f:readyReplicas", Json::object()},
                         {"f:replicas", Json::object()},
                         {"f:updatedReplicas", Json::object()}}}}},
                     {"subresource", "status"}});
  managed.push_back({{"manager", "kubectl-edit"},
                     {"operation", "Update"},
                     {"apiVersion", "apps/v1"},
                     {"time", "2026-11-22T11:58:03Z"},
                     {"fieldsType", "FieldsV1"},
                     {"fieldsV1",
                      {{"f:spec",
                        {{"f:template",
                          {{"f:metadata", {{"f:annotations", {{"f:kubectl.kubernetes.io/restartedAt", Json::object()}}}}}}}}}}}});

  return {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", "users-api"},
        {"namespace", "users"},
        {"uid", "6f1c2a9e-3b7d-4c55-9a11-2f0e8d7c4b10"},
        {"resourceVersion", resource_version},
        {"generation", generation},
        {"creationTimestamp", "2026-10-01T08:00:00Z"},
        {"labels",
         {{"app.kubernetes.io/name", "users-api"},
          {"app.kubernetes.io/part-of", "accounts"},
          {"kustomize.toolkit.fluxcd.io/name", "apps"},
          {"kustomize.toolkit.fluxcd.io/namespace", "flux-system"},
          {"team", "identity"}}},
        {"annotations",
         {{"deployment.kubernetes.io/revision", "14"},
          {"meta.example.com/owner", owner_annotation}}},
        {"managedFields", managed}}},
      {"spec",
       {{"replicas", 6},
        {"revisionHistoryLimit", 10},
        {"progressDeadlineSeconds", 600},
        {"selector", {{"matchLabels", {{"app.kubernetes.io/name", "users-api"}}}}},
        {"strategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", 0}}}}},
        {"template",
         {{"metadata",
           {{"labels", {{"app.kubernetes.io/name", "users-api"}, {"team", "identity"}}},
            {"annotations", {{"kubectl.kubernetes.io/restartedAt", "2026-11-22T11:58:03Z"}, {"prometheus.io/scrape", "true"}}}}},
          {"spec",
           {{"serviceAccountName", "users-api"},
            {"terminationGracePeriodSeconds", 45},
            {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 10001}, {"fsGroup", 10001}}},
            {"containers",
             {container("api", api_image, 8080),
              container("envoy",
                        "registry.example.com/mesh/envoy@sha256:3b1f6d5e8c0a2947f1e6b5d4c3a2918f7e6d5c4b3a29180f7e6d5c4b3a291807",
                        9901),
              container("log-shipper", "registry.example.com/obs/vector:0.41.1", 8686)}},
            {"volumes", {{{"name", "tmp"}, {"emptyDir", Json::object()}}, {{"name", "config"}, {"configMap", {{"name", "users-api-config"}}}}}}}}}}}},
      {"status",
       {{"observedGeneration", generation},
        {"replicas", 6},
        {"updatedReplicas", 6},
        {"readyReplicas", 6},
        {"availableReplicas", 6},
        {"conditions",
         {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"}},
          {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"}}}}}}};
}

// A human's `kubectl edit` of a Flux-managed Deployment: one image and one
// annotation changed. gitops-ownership denies it.
std::string deployment_update_review() {
  Json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "5b0d3c8e-1f2a-4e6b-9c7d-0a1b2c3d4e5f"},
        {"kind", {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}},
        {"resource", {{"group", "apps"}, {"version", "v1"}, {"resource", "deployments"}}},
        {"requestKind", {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}},
        {"requestResource", {{"group", "apps"}, {"version", "v1"}, {"resource", "deployments"}}},
        {"name", "users-api"},
        {"namespace", "users"},
        {"operation", "UPDATE"},
        {"userInfo",
         {{"username", "alice@example.com"},
          {"uid", "a1b2c3d4"},
          {"groups", {"developers", "system:authenticated"}},
          {"extra", {{"authentication.kubernetes.io/credential-id", {"X509SHA256=9f86d081884c7d65"}}}}}},
        {"object", deployment("registry.example.com/identity/users-api:4.13.0", "platform-team@example.com", "88421", 15)},
        {"oldObject", deployment("registry.example.com/identity/users-api:4.12.7", "identity-team@example.com", "88410", 14)},
        {"dryRun", false},
        {"options", {{"kind", "UpdateOptions"}, {"apiVersion", "meta.k8s.io/v1"}, {"fieldManager", "kubectl-edit"}}}}}};
  return review.dump() + "\n";
}

// A Pod CREATE as a ReplicaSet controller sends it: the three containers above, a
// Pod-level securityContext. It passes the restricted pack below (the common case:
// every rule evaluated, nothing to explain).
std::string pod_create_review(bool hardened = true) {
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"generateName", "users-api-7d9f8c6b5-"},
        {"namespace", "users"},
        {"labels", {{"app.kubernetes.io/name", "users-api"}, {"pod-template-hash", "7d9f8c6b5"}}},
        {"annotations", {{"kubectl.kubernetes.io/restartedAt", "2026-11-22T11:58:03Z"}}},
        {"ownerReferences",
         {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "users-api-7d9f8c6b5"}, {"controller", true}}}}}},
      {"spec",
       {{"serviceAccountName", "users-api"},
        {"securityContext",
         {{"runAsNonRoot", true}, {"runAsUser", 10001}, {"fsGroup", 10001}, {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
        {"containers",
         {container("api", "registry.example.com/identity/users-api:4.13.0", 8080),
          container("envoy", "registry.example.com/mesh/envoy:v1.30.1", 9901),
          container("log-shipper", "registry.example.com/obs/vector:0.41.1", 8686)}},
        {"volumes",
         {{{"name", "tmp"}, {"emptyDir", Json::object()}}, {{"name", "config"}, {"configMap", {{"name", "users-api-config"}}}}}}}}};
  if (!hardened) {
    // What a chart without a securityContext sends: every container breaks the pack.
    pod["spec"].erase("securityContext");
    for (Json& c : pod["spec"]["containers"]) c["securityContext"] = {{"privileged", true}};
    pod["spec"]["volumes"].push_back({{"name", "host"}, {"hostPath", {{"path", "/var/run"}}}});
  }
  Json review = {{"apiVersion", "admission.k8s.io/v1"},
                 {"kind", "AdmissionReview"},
                 {"request",
                  {{"uid", "0c9e2f4a-8b7d-4e61-a3f5-2d1c0b9a8e7f"},
                   {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                   {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
                   {"namespace", "users"},
                   {"operation", "CREATE"},
                   {"userInfo",
                    {{"username", "system:serviceaccount:kube-system:replicaset-controller"},
                     {"groups", {"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}}}},
                   {"object", pod},
                   {"dryRun", false},
                   {"options", {{"kind", "CreateOptions"}, {"apiVersion", "meta.k8s.io/v1"}}}}}};
  return review.dump() + "\n";
}

// ---- policy sets ---------------------------------------------------------------

// A restricted-PSS-like pack written inline (language 1.1: expect/deny, forEach over
// every container list, podTemplates), so the case runs without the library.
constexpr const char* kRestrictedPack = R"(
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: restricted-privileged}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: privileged
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      deny: {path: securityContext.privileged, equals: true}
    - name: privilege-escalation
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect: {path: securityContext.allowPrivilegeEscalation, equals: false}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: restricted-capabilities}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: drop-all
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect: {any: "securityContext.capabilities.drop[*]", equals: ALL}
    - name: add-only-net-bind-service
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect: {each: "securityContext.capabilities.add[*]", in: [NET_BIND_SERVICE]}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: restricted-non-root}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: run-as-non-root
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect:
        anyOf:
          - {path: securityContext.runAsNonRoot, equals: true}
          - allOf:
              - {path: $.spec.securityContext.runAsNonRoot, equals: true}
              - {not: {path: securityContext.runAsNonRoot, equals: false}}
    - name: run-as-user
      deny: {any: "spec.containers[*].securityContext.runAsUser", equals: 0}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: baseline-host-namespaces}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: host-namespaces
      deny:
        anyOf:
          - {path: spec.hostNetwork, equals: true}
          - {path: spec.hostPID, equals: true}
          - {path: spec.hostIPC, equals: true}
    - name: host-ports
      deny: {any: "spec.containers[*].ports[*].hostPort", notIn: [0]}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: restricted-volume-types}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: volume-types
      expect:
        each: "spec.volumes[*]"
        keysIn: [name, configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret]
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: restricted-seccomp}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: seccomp
      forEach: ["spec.containers[*]", "spec.initContainers[*]", "spec.ephemeralContainers[*]"]
      expect:
        anyOf:
          - {path: securityContext.seccompProfile.type, in: [RuntimeDefault, Localhost]}
          - {path: $.spec.securityContext.seccompProfile.type, in: [RuntimeDefault, Localhost]}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: baseline-apparmor}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: apparmor
      expect:
        each: 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]'
        regex: '^(runtime/default|localhost/.+)$'
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: best-practice-resources}
spec:
  match: {kinds: [Pod], podTemplates: true}
  rules:
    - name: memory-limit
      forEach: "spec.containers[*]"
      expect: {path: resources.limits.memory, max: 8Gi, as: quantity}
    - name: latest-pulls-always
      forEach: "spec.containers[*]"
      when: {path: image, regex: '(:latest$|^[^:@]+$)'}
      expect: {path: imagePullPolicy, equals: Always}
)";

// The Restricted profile of the policy library: Baseline's controls and the ones
// Restricted adds (policies-library/, docs/library.md).
constexpr const char* kLibraryPacks[] = {DRIFTGATE_LIBRARY_DIR "/pss-baseline", DRIFTGATE_LIBRARY_DIR "/pss-restricted"};

struct DefaultSources {
  std::vector<policy::SourceFile> files;
};

// The repository's default set: the figures are about what users run, so a bench
// without it stops rather than timing something else.
const DefaultSources& default_sources() {
  static const DefaultSources sources = [] {
    DefaultSources s;
    auto files = policy::read_policy_files(DRIFTGATE_POLICIES_DIR);
    if (!files || files->empty() || !policy::load_sources(*files).ok()) {
      std::cerr << "engine_bench: the default policy set in " DRIFTGATE_POLICIES_DIR " does not load\n";
      std::exit(1);
    }
    s.files = std::move(*files);
    return s;
  }();
  return sources;
}

// A realistic policy that only matches its own kind.
std::string generated_policy(int i) {
  std::string n = std::to_string(i);
  return "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: widget-guard-" + n +
         "\nspec:\n  mode: Enforce\n  match:\n    operations: [CREATE, UPDATE]\n    kinds: [widgets.example.com/Widget" + n +
         "]\n    excludeNamespaces: [kube-system]\n    objectSelector:\n      anyOf:\n"
         "        - labels: {app.kubernetes.io/managed-by: \"*\"}\n    excludeSubjects:\n"
         "      users: [\"system:serviceaccount:widgets:*\"]\n  rules:\n"
         "    - name: frozen\n      frozen:\n        ignore: ['metadata.annotations[\"example.com/touched\"]']\n"
         "    - name: pinned\n      pattern: {path: \"spec.containers[*].image\", regex: '@sha256:[0-9a-f]{64}$'}\n"
         "      message: \"{{paths}} must pin a digest\"\n"
         "    - name: budget\n      exclusive: {at: spec.values.**, fields: [minAvailable, maxUnavailable]}\n";
}

std::vector<policy::SourceFile> generated_sources(int count) {
  std::vector<policy::SourceFile> files;
  for (int i = 0; i < count; ++i) files.push_back({"generated/widget-" + std::to_string(i) + ".yaml", generated_policy(i)});
  return files;
}

std::shared_ptr<const policy::PolicySet> load_or_die(const std::vector<policy::SourceFile>& files) {
  auto result = policy::load_sources(files);
  if (!result.ok()) {
    std::cerr << "engine_bench: policies do not load:\n" << result.error_text();
    std::exit(1);
  }
  return result.set;
}

const policy::PolicySet& default_set() {
  static const auto set = load_or_die(default_sources().files);
  return *set;
}

const policy::PolicySet& thousand_plus_default_set() {
  static const auto set = [] {
    auto files = generated_sources(1000);
    for (const auto& f : default_sources().files) files.push_back(f);
    return load_or_die(files);
  }();
  return *set;
}

const policy::PolicySet& restricted_pack() {
  static const auto set = load_or_die({{"restricted-pack.yaml", kRestrictedPack}});
  return *set;
}

const std::string& pod_review_body(bool hardened = true) {
  static const std::string body = pod_create_review(true);
  static const std::string denied = pod_create_review(false);
  return hardened ? body : denied;
}

const std::string& review_body() {
  static const std::string body = deployment_update_review();
  return body;
}

const TimePoint kNow = *parse_rfc3339("2026-11-22T12:00:00Z");

void label(benchmark::State& state) {
  state.SetLabel(std::to_string(review_body().size()) + " B review");
}

// ---- cases ---------------------------------------------------------------------

void BM_Decode(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = json::parse(review_body());
    auto review = admission::decode(doc->root);
    benchmark::DoNotOptimize(review);
  }
  label(state);
}
BENCHMARK(BM_Decode);

void evaluate_case(benchmark::State& state, const policy::PolicySet& set) {
  auto doc = json::parse(review_body());
  auto review = admission::decode(doc->root);
  for (auto _ : state) {
    auto decision = engine::evaluate(review->request, set, kNow);
    benchmark::DoNotOptimize(decision);
  }
  label(state);
}
void BM_Evaluate(benchmark::State& state) { evaluate_case(state, default_set()); }
BENCHMARK(BM_Evaluate);
void BM_Evaluate_1000OtherKinds(benchmark::State& state) { evaluate_case(state, thousand_plus_default_set()); }
BENCHMARK(BM_Evaluate_1000OtherKinds);

void BM_Encode(benchmark::State& state) {
  auto doc = json::parse(review_body());
  auto review = admission::decode(doc->root);
  auto decision = engine::evaluate(review->request, default_set(), kNow);
  for (auto _ : state) {
    auto body = admission::encode_response(*review, decision, {});
    benchmark::DoNotOptimize(body);
  }
  label(state);
}
BENCHMARK(BM_Encode);

void handle_case(benchmark::State& state, const policy::PolicySet& set) {
  for (auto _ : state) {
    auto outcome = admission::handle(review_body(), engine::Endpoint::Validate, set, kNow);
    benchmark::DoNotOptimize(outcome);
  }
  label(state);
}
// decode -> evaluate -> encode, and the audit line, as the server runs it.
void BM_Handle(benchmark::State& state) { handle_case(state, default_set()); }
BENCHMARK(BM_Handle);
// The mutating endpoint: JSON Patch operations compiled at load, templates
// rendered and the patch written per request, on the same Deployment UPDATE.
const policy::PolicySet& mutate_set() {
  static const auto set = load_or_die({{"stamp.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: stamp}
spec:
  match: {operations: [CREATE, UPDATE], kinds: ["apps/Deployment"]}
  rules:
    - name: stamp
      mutate:
        patch:
          - {op: add, path: /metadata/annotations/driftgate.dev~1last-writer, value: "{{user}}"}
          - {op: add, path: /metadata/labels/driftgate.dev~1stamped, value: "true"}
          - op: add
            path: /spec/template/metadata/annotations/driftgate.dev~1audit
            value: {by: "{{user}}", at: "{{now}}", fixed: {team: platform, tiers: [web, api], replicas: 3}}
          - {op: add, path: /metadata/missing/deeper/key, value: {a: [1, 2, 3], b: "{{namespace}}"}}
)"}});
  return *set;
}
void BM_Handle_Mutate(benchmark::State& state) {
  auto first = admission::handle(review_body(), engine::Endpoint::Mutate, mutate_set(), kNow);
  if (first.http_status != 200 || first.decision.patch.empty()) {
    state.SkipWithError("the stamp policy does not patch the review");
    return;
  }
  for (auto _ : state) {
    auto outcome = admission::handle(review_body(), engine::Endpoint::Mutate, mutate_set(), kNow);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetLabel(std::to_string(review_body().size()) + " B review, " + std::to_string(first.decision.patch.size()) +
                 " B patch");
}
BENCHMARK(BM_Handle_Mutate);
void BM_Handle_1000OtherKinds(benchmark::State& state) { handle_case(state, thousand_plus_default_set()); }
BENCHMARK(BM_Handle_1000OtherKinds);

// A Pod CREATE through admission::handle against a restricted-PSS-like pack.
void pod_case(benchmark::State& state, const policy::PolicySet& set, bool hardened = true) {
  const std::string& body = pod_review_body(hardened);
  auto first = admission::handle(body, engine::Endpoint::Validate, set, kNow);
  if (first.http_status != 200 || first.decision.matched_policies.empty()) {
    state.SkipWithError("the pack does not match the Pod review");
    return;
  }
  for (auto _ : state) {
    auto outcome = admission::handle(body, engine::Endpoint::Validate, set, kNow);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetLabel(std::to_string(body.size()) + " B Pod review, " +
                 std::to_string(set.policies().size()) + " policies, " +
                 (first.decision.allowed ? "allowed" : "denied"));
}
void BM_Handle_PodRestrictedPack(benchmark::State& state) { pod_case(state, restricted_pack()); }
BENCHMARK(BM_Handle_PodRestrictedPack);
// The same pack against a Pod that breaks most of it: every violation explained.
void BM_Handle_PodRestrictedPackDenied(benchmark::State& state) { pod_case(state, restricted_pack(), false); }
BENCHMARK(BM_Handle_PodRestrictedPackDenied);

// The whole Restricted profile as users deploy it from the library; the library
// is part of the repository, so a pack that does not load stops the bench.
const policy::PolicySet& library_restricted_profile() {
  static const auto set = [] {
    std::vector<policy::SourceFile> files;
    for (const char* pack : kLibraryPacks) {
      auto read = policy::read_policy_files(pack);
      if (!read || read->empty()) {
        std::cerr << "engine_bench: no policies in " << pack << "\n";
        std::exit(1);
      }
      for (auto& f : *read) files.push_back(std::move(f));
    }
    return load_or_die(files);
  }();
  return *set;
}
void BM_Handle_PodRestrictedLibrary(benchmark::State& state) { pod_case(state, library_restricted_profile()); }
BENCHMARK(BM_Handle_PodRestrictedLibrary);

// `driftgate check` minus the file reads.
void BM_LoadSources_1000(benchmark::State& state) {
  const auto files = generated_sources(1000);
  for (auto _ : state) {
    auto result = policy::load_sources(files);
    if (!result.ok()) state.SkipWithError(result.error_text().c_str());
    benchmark::DoNotOptimize(result);
  }
  state.SetLabel("1000 policies, 3 rules each");
}
BENCHMARK(BM_LoadSources_1000)->Unit(benchmark::kMillisecond);

// The benchmarks measure the path a denial takes; make sure it is one.
void check_the_review_is_denied() {
  auto outcome = admission::handle(review_body(), engine::Endpoint::Validate, default_set(), kNow);
  if (outcome.http_status != 200 || outcome.decision.allowed) {
    std::cerr << "engine_bench: expected gitops-ownership to deny the review, got HTTP " << outcome.http_status << ": "
              << outcome.body.substr(0, 400) << "\n";
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--write-fixture") == 0) {
      if (i + 1 >= argc) {
        std::cerr << "usage: engine_bench --write-fixture PATH\n";
        return 2;
      }
      std::ofstream out(argv[i + 1], std::ios::binary);
      out << review_body();
      if (!out.flush()) {
        std::cerr << "engine_bench: cannot write " << argv[i + 1] << "\n";
        return 1;
      }
      std::cerr << "engine_bench: wrote " << argv[i + 1] << " (" << review_body().size() << " bytes)\n";
      return 0;
    }
  }
  check_the_review_is_denied();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
