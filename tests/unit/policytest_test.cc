#include "policytest/policy_test.h"

#include <gtest/gtest.h>

#include <string>

#include "admission/handle.h"
#include "admission/object_review.h"
#include "json/parse.h"
#include "json/yaml.h"
#include "policy/loader.h"

namespace driftgate::policytest {
namespace {

json::Document yaml(const std::string& text) {
  auto doc = json::parse_yaml(text);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error());
  return std::move(*doc);
}

json::Document review_of(const std::string& request_yaml) {
  auto request = yaml(request_yaml);
  auto review = json::parse(admission::review_from_request(request.root, {.uid = "policytest-7"}));
  EXPECT_TRUE(review.ok());
  return std::move(*review);
}

// Regression (issue 13): the request derived for a Namespace had no namespace; the
// API server sends the Namespace's own name (observed on 1.28).
TEST(ReviewFromRequest, ANamespaceCarriesItsOwnNameAsTheApiServerSendsIt) {
  auto review = review_of("operation: UPDATE\nobject: {apiVersion: v1, kind: Namespace, metadata: {name: team-zz}}\n"
                          "oldObject: {apiVersion: v1, kind: Namespace, metadata: {name: team-zz}}\n");
  const json::Value& r = *review.root.find("request");
  EXPECT_EQ(r.string_at("namespace"), "team-zz");
  EXPECT_EQ(r.string_at("name"), "team-zz");
  EXPECT_EQ(r.find("resource")->string_at("resource"), "namespaces");

  auto role = review_of("object: {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: view}}\n");
  EXPECT_EQ(role.root.find("request")->find("namespace"), nullptr) << "absent for a cluster-scoped object";
}

TEST(ReviewFromRequest, ResourcesComeFromTheKindTableNotAPluralizer) {
  auto resource = [](const std::string& api_version, const std::string& kind) {
    auto review = review_of("object: {apiVersion: " + api_version + ", kind: " + kind + ", metadata: {name: x, namespace: n}}\n");
    return std::string(review.root.find("request")->find("resource")->string_at("resource"));
  };
  EXPECT_EQ(resource("v1", "Endpoints"), "endpoints");  // the pluralizer said "endpointses"
  EXPECT_EQ(resource("networking.k8s.io/v1", "NetworkPolicy"), "networkpolicies");
  EXPECT_EQ(resource("networking.k8s.io/v1", "Ingress"), "ingresses");
  EXPECT_EQ(resource("example.com/v1", "Widget"), "widgets") << "a custom resource: Kubernetes' own guess";

  auto eviction = review_of("object: {apiVersion: policy/v1, kind: Eviction, metadata: {name: web-1, namespace: n}}\n");
  const json::Value& r = *eviction.root.find("request");
  EXPECT_EQ(r.find("resource")->string_at("resource"), "pods");
  EXPECT_EQ(r.string_at("subResource"), "eviction");
}

// Regression: a Scale's request was derived as resource {autoscaling, v1, "*"} and an
// Eviction's as {policy, v1, pods}: no real request looks like either. A subresource
// request names the resource written (its parent's group and version) and the
// subresource; the object is of another group (docs/kubernetes-facts: `kubectl scale
// deployment/x` arrives as kind autoscaling/v1 Scale, resource apps/v1 deployments,
// subResource scale).
TEST(ReviewFromRequest, ASubresourceKindsRequestNamesItsParentsResourceAndTheSubresource) {
  auto gvr = [](const json::Value& r, std::string_view key) {
    const json::Value& v = *r.find(key);
    return std::string(v.string_at("group")) + "/" + std::string(v.string_at("version")) + "/" +
           std::string(v.string_at("resource"));
  };
  auto eviction = review_of("object: {apiVersion: policy/v1, kind: Eviction, metadata: {name: web-1, namespace: n}}\n");
  const json::Value& e = *eviction.root.find("request");
  EXPECT_EQ(gvr(e, "resource"), "/v1/pods");
  EXPECT_EQ(gvr(e, "requestResource"), "/v1/pods");
  EXPECT_EQ(e.string_at("subResource"), "eviction");
  EXPECT_EQ(e.string_at("requestSubResource"), "eviction");
  EXPECT_EQ(e.find("kind")->string_at("group"), "policy") << "the object's kind stays its own";
  EXPECT_EQ(e.find("kind")->string_at("kind"), "Eviction");
  EXPECT_EQ(e.string_at("name"), "web-1") << "the pod evicted";
  EXPECT_EQ(e.string_at("namespace"), "n");

  auto token = review_of("object: {apiVersion: authentication.k8s.io/v1, kind: TokenRequest, metadata: {name: ci, namespace: n}}\n");
  const json::Value& t = *token.root.find("request");
  EXPECT_EQ(gvr(t, "resource"), "/v1/serviceaccounts");
  EXPECT_EQ(t.string_at("subResource"), "token");
  EXPECT_EQ(t.string_at("name"), "ci");

  // A Scale does not say whose it is: without `resource`, a Deployment's, as `kubectl
  // scale deployment` and the HPA's usual target send it.
  const std::string scale = "object: {apiVersion: autoscaling/v1, kind: Scale, metadata: {name: web, namespace: apps}, "
                            "spec: {replicas: 3}}\noperation: UPDATE\n";
  auto deployment = review_of(scale);
  const json::Value& d = *deployment.root.find("request");
  EXPECT_EQ(gvr(d, "resource"), "apps/v1/deployments");
  EXPECT_EQ(gvr(d, "requestResource"), "apps/v1/deployments");
  EXPECT_EQ(d.string_at("subResource"), "scale");
  EXPECT_EQ(d.find("kind")->string_at("group"), "autoscaling");
  EXPECT_EQ(d.find("kind")->string_at("version"), "v1");
  EXPECT_EQ(d.find("kind")->string_at("kind"), "Scale");
  EXPECT_EQ(d.string_at("name"), "web");
  EXPECT_EQ(d.string_at("namespace"), "apps");

  // The case names the parent: its resource is kept, requestResource follows it, and
  // the subresource is still scale.
  auto statefulset = review_of(scale + "resource: {group: apps, version: v1, resource: statefulsets}\n");
  const json::Value& s = *statefulset.root.find("request");
  EXPECT_EQ(gvr(s, "resource"), "apps/v1/statefulsets");
  EXPECT_EQ(gvr(s, "requestResource"), "apps/v1/statefulsets");
  EXPECT_EQ(s.string_at("subResource"), "scale");
  auto given = review_of(scale + "resource: {group: example.com, version: v1, resource: widgets}\nsubResource: scale\n"
                         "requestResource: {group: example.com, version: v1beta1, resource: widgets}\n");
  EXPECT_EQ(gvr(*given.root.find("request"), "requestResource"), "example.com/v1beta1/widgets");
  EXPECT_EQ(given.root.find("request")->string_at("subResource"), "scale");
}

// The same derivation for `scan --manifests` and stored objects (review_for_object).
TEST(ReviewFromRequest, AScaleManifestIsJudgedAsADeploymentsScale) {
  auto object = yaml("{apiVersion: autoscaling/v1, kind: Scale, metadata: {name: web}, spec: {replicas: 2}}");
  json::Arena arena;
  auto review = json::parse(admission::review_for_object(object.root, {.default_namespace = "team-a"}, {}, arena));
  ASSERT_TRUE(review.ok());
  const json::Value& r = *review->root.find("request");
  EXPECT_EQ(r.find("resource")->string_at("group"), "apps");
  EXPECT_EQ(r.find("resource")->string_at("resource"), "deployments");
  EXPECT_EQ(r.string_at("subResource"), "scale");
  EXPECT_EQ(r.string_at("namespace"), "team-a");
}

TEST(ReviewFromRequest, DerivesWhatTheApiServerFillsInAndKeepsWhatIsGiven) {
  auto review = review_of("object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: apps}}\n"
                          "userInfo: {username: alice}\nuid: given\n");
  EXPECT_EQ(review.root.string_at("apiVersion"), "admission.k8s.io/v1");
  const json::Value& r = *review.root.find("request");
  EXPECT_EQ(r.string_at("uid"), "given");
  EXPECT_EQ(r.string_at("operation"), "CREATE");
  EXPECT_EQ(r.find("kind")->string_at("group"), "apps");
  EXPECT_EQ(r.find("requestKind")->string_at("kind"), "Deployment");
  EXPECT_EQ(r.find("requestResource")->string_at("resource"), "deployments");
  EXPECT_EQ(r.string_at("namespace"), "apps");
  EXPECT_EQ(r.find("userInfo")->string_at("username"), "alice");
  EXPECT_FALSE(r.find("dryRun")->as_bool());
}

TEST(ReadTests, ACaseBecomesAReviewWithItsExpectations) {
  auto result = read_tests({{"dir/t.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: t}
spec:
  now: "2026-11-22T16:00:00Z"
  cases:
    - name: one
      request:
        object: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n}}
      expect: {allowed: false, message: only, warnings: [], violations: [p/r]}
    - name: two
      endpoint: mutate
      now: "2026-11-23T00:00:00Z"
      review: {apiVersion: admission.k8s.io/v1, kind: AdmissionReview, request: {uid: u, kind: {group: "", version: v1, kind: Pod},
               operation: CREATE, userInfo: {username: a}, object: {kind: Pod}}}
      expect: {patch: [{op: add, path: /a, value: 1}]}
---
apiVersion: kyverno.io/v1
kind: PolicyTest
metadata: {name: not-ours}
)"}});
  ASSERT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].str());
  ASSERT_EQ(result.suites.size(), 1u);
  ASSERT_EQ(result.cases(), 2u);
  const Case& one = result.suites[0].cases[0];
  EXPECT_EQ(one.position, "dir/t.yaml:7");
  EXPECT_EQ(one.now, parse_rfc3339("2026-11-22T16:00:00Z")) << "the suite's now";
  EXPECT_EQ(one.expect.allowed, false);
  EXPECT_EQ(one.expect.message, std::vector<std::string>{"only"});
  EXPECT_EQ(one.expect.warnings, std::vector<std::string>{});
  EXPECT_EQ(one.expect.violations, std::vector<std::string>{"p/r"});
  EXPECT_NE(one.review.find("\"resource\":\"configmaps\""), std::string::npos) << one.review;
  const Case& two = result.suites[0].cases[1];
  EXPECT_EQ(two.endpoint, engine::Endpoint::Mutate);
  EXPECT_EQ(two.now, parse_rfc3339("2026-11-23T00:00:00Z"));
  EXPECT_EQ(two.expect.patch, R"([{"op":"add","path":"/a","value":1}])");
}

TEST(ReadTests, EveryMistakeIsAnErrorWithItsPosition) {
  struct Mistake {
    std::string case_yaml, message;
  };
  const std::string head = "apiVersion: driftgate.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: t}\nspec:\n  cases:\n";
  const std::string cm = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}";
  const std::string scale = "{apiVersion: autoscaling/v1, kind: Scale, metadata: {name: users-api, namespace: users}, spec: {replicas: 5}}";
  const std::string deploy = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: users-api, namespace: users}}";
  for (const Mistake& m : std::vector<Mistake>{
           {"    - {name: a, expect: {allowed: true}}", "a case needs one of request, review or reviewFile"},
           {"    - {name: a, request: {object: " + cm + "}, review: {}, expect: {allowed: true}}",
            "a case takes one of request, review and reviewFile, found request and review"},
           {"    - {name: a, request: {object: " + cm + "}}", "missing expect"},
           {"    - {name: a, request: {object: " + cm + "}, expect: {}}", "expects nothing"},
           {"    - {name: a, request: {object: " + cm + "}, expect: {allowed: yes}}", "expected true or false"},
           {"    - {name: a, request: {object: " + cm + "}, expect: {violations: [norule]}}", "\"norule\" is not policy/rule"},
           {"    - {name: a, request: {object: " + cm + "}, expect: {patch: []}, endpoint: Mutate}",
            "unknown endpoint \"Mutate\", expected validate or mutate; did you mean \"mutate\"?"},
           {"    - {name: a, request: {object: " + cm + "}, expect: {patch: [{op: add, path: /a, value: 1}]}}",
            "only endpoint: mutate answers with a patch"},
           {"    - {name: a, now: tomorrow, request: {object: " + cm + "}, expect: {allowed: true}}",
            "\"tomorrow\" is not an RFC 3339 time"},
           {"    - {name: a, request: {operation: DELETE, object: " + cm + "}, expect: {allowed: true}}",
            "a DELETE carries the stored object in oldObject"},
           {"    - {name: a, request: {object: {metadata: {name: c}}}, expect: {allowed: true}}", "missing apiVersion"},
           {"    - {name: a, request: {userInfo: {user: x}, object: " + cm + "}, expect: {allowed: true}}",
            "unknown field \"user\", expected one of: username, uid, groups, extra"},
           {"    - {name: a, review: {apiVersion: v1, kind: AdmissionReview}, expect: {allowed: true}}",
            "not an AdmissionReview request: apiVersion"},
           {"    - {name: a, reviewFile: absent.json, expect: {allowed: true}}", "absent.json"},
           {"    - {name: a, request: {operation: UPDATE, object: " + scale + "}, parents: " + deploy + ", expect: {allowed: true}}",
            "parents: expected a list of objects (apiVersion, kind, metadata), found a mapping"},
           {"    - {name: a, request: {operation: UPDATE, object: " + scale + "}, parents: [x], expect: {allowed: true}}",
            "parents[0]: expected a mapping (a Kubernetes object), found"},
           {"    - {name: a, request: {operation: UPDATE, object: " + scale + "}, parents: [{apiVersion: apps/v1, "
            "metadata: {name: users-api}}], expect: {allowed: true}}",
            "parents[0]: a parent object needs apiVersion, kind and metadata.name"},
           {"    - {name: a, request: {object: " + cm + "}, parents: [" + deploy + "], expect: {allowed: true}}",
            "parents are only looked up for a /scale request"},
           {"    - {name: a, request: {operation: CREATE, object: " + scale + "}, parents: [" + deploy + "], expect: {allowed: true}}",
            "parents are only looked up for a /scale request"},
           {"    - {name: a, request: {operation: UPDATE, object: " + scale + "}, parent: [" + deploy + "], expect: {allowed: true}}",
            "unknown field \"parent\""},
       }) {
    auto result = read_tests({{"t.yaml", head + m.case_yaml + "\n"}});
    ASSERT_FALSE(result.errors.empty()) << m.case_yaml;
    EXPECT_EQ(result.errors[0].line, 6) << result.errors[0].str();
    EXPECT_NE(result.errors[0].str().find(m.message), std::string::npos) << result.errors[0].str();
    EXPECT_EQ(result.errors[0].str().rfind("t.yaml:6:", 0), 0u) << result.errors[0].str();
    EXPECT_TRUE(result.suites.empty()) << "a suite with an error is not run";
  }
}

// A case's `parents` are what its /scale request is judged by, as `driftgate test`
// runs it (admission::handle with the case's parents): the default set's
// gitops-ownership refuses a person's scale of a Flux-managed Deployment, lets the
// HPA scale it, lets a person scale an unmanaged one, and refuses a scale whose
// parent is not given (--lookup-failure=deny).
TEST(ReadTests, ParentsJudgeAScaleByItsParent) {
  auto result = read_tests({{"t.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: t}
spec:
  cases:
    - name: person, Flux-managed
      request: &person
        operation: UPDATE
        userInfo: {username: jane@example.com, groups: [developers]}
        object: {apiVersion: autoscaling/v1, kind: Scale, metadata: {name: users-api, namespace: users}, spec: {replicas: 5}}
        oldObject: {apiVersion: autoscaling/v1, kind: Scale, metadata: {name: users-api, namespace: users}, spec: {replicas: 2}}
      parents: &flux
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: users-api, namespace: users,
                     labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}}
      expect: {allowed: false}
    - name: the HPA, Flux-managed
      request:
        operation: UPDATE
        userInfo: {username: "system:serviceaccount:kube-system:horizontal-pod-autoscaler"}
        object: {apiVersion: autoscaling/v1, kind: Scale, metadata: {name: users-api, namespace: users}, spec: {replicas: 5}}
      parents: *flux
      expect: {allowed: true}
    - name: person, unmanaged
      request: *person
      parents: [{apiVersion: apps/v1, kind: Deployment, metadata: {name: users-api, namespace: users}}]
      expect: {allowed: true}
    - name: person, no parent given
      request: *person
      parents: []
      expect: {allowed: false}
    - name: person, no parents field
      request: *person
      expect: {allowed: true}
)"}});
  ASSERT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].str());
  ASSERT_EQ(result.cases(), 5u);
  auto loaded = policy::load_directory(std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  ASSERT_TRUE(loaded.ok()) << loaded.error_text();
  auto run = [&](const Case& c) {
    admission::Subresources subresources;
    subresources.parents = c.parents.get();
    return admission::handle(c.review, c.endpoint, *loaded.set, *parse_rfc3339("2026-11-22T16:00:00Z"), {}, {},
                             engine::Source::Admission, subresources)
        .decision;
  };
  const auto& cases = result.suites[0].cases;
  ASSERT_TRUE(cases[0].parents);
  EXPECT_EQ(cases[0].parents->size(), 1u);
  const engine::Decision person = run(cases[0]);
  EXPECT_FALSE(person.allowed);
  EXPECT_NE(person.message.find("Deployment users/users-api is managed by Flux Kustomization flux-system/apps; "
                                "change spec.replicas in Git instead"),
            std::string::npos)
      << person.message;
  EXPECT_TRUE(run(cases[1]).allowed) << run(cases[1]).message;
  EXPECT_TRUE(run(cases[2]).allowed) << run(cases[2]).message;
  ASSERT_TRUE(cases[3].parents);
  EXPECT_EQ(cases[3].parents->size(), 0u);
  const engine::Decision missing = run(cases[3]);
  EXPECT_FALSE(missing.allowed);
  EXPECT_NE(missing.message.find("could not look up deployments.apps users/users-api"), std::string::npos) << missing.message;
  EXPECT_NE(missing.message.find("a PolicyTest case's parents"), std::string::npos) << missing.message;
  EXPECT_FALSE(cases[4].parents) << "no parents field: judged as it comes";
  EXPECT_TRUE(run(cases[4]).allowed);
}

}  // namespace
}  // namespace driftgate::policytest
