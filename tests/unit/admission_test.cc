#include "admission/handle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "admission/review.h"
#include "json/parse.h"
#include "test_support.h"

namespace driftgate {
namespace {

using testing::at;
using testing::policies;

const TimePoint kNow = at("2026-11-22T12:00:00Z");

const std::string kForbidPaused = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: no-pause}
spec:
  match: {operations: [CREATE, UPDATE, DELETE]}
  rules:
    - {name: paused, forbid: [spec.paused]}
    - name: label
      mutate:
        patch: [{op: add, path: /metadata/labels/checked, value: "yes"}]
)";

std::string review(const std::string& api_version, const std::string& operation, const std::string& object,
                   const std::string& extra = "") {
  return R"({"apiVersion":")" + api_version + R"(","kind":"AdmissionReview","request":{"uid":"u-1",)" +
         R"("kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},)" +
         R"("name":"web","namespace":"team","operation":")" + operation +
         R"(","userInfo":{"username":"alice","groups":["devs"]},)" +
         (operation == "DELETE" ? R"("oldObject":)" : R"("object":)") + object + R"(,"dryRun":false)" + extra + "}}";
}

const std::string kPaused = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"paused":true}})";
const std::string kRunning = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{}})";

json::Document parse(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc.ok());
  return std::move(*doc);
}

// The rules that reported a violation when `body` is judged as coming from `source`.
std::vector<std::string> violated_rules(const std::string& body, const policy::PolicySet& set, engine::Source source) {
  auto out = admission::handle(body, engine::Endpoint::Validate, set, kNow, {}, {}, source);
  EXPECT_EQ(out.http_status, 200) << out.error;
  std::vector<std::string> rules;
  for (const auto& v : out.decision.violations) rules.push_back(v.rule);
  return rules;
}

TEST(HandleTest, DenialEchoesUidAndApiVersionWith403AndMessage) {
  auto set = policies(kForbidPaused);
  for (std::string version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    auto out = admission::handle(review(version, "CREATE", kPaused), engine::Endpoint::Validate, *set, kNow);
    ASSERT_EQ(out.http_status, 200) << out.error;
    auto doc = parse(out.body);
    EXPECT_EQ(doc.root.string_at("apiVersion"), version);
    EXPECT_EQ(doc.root.string_at("kind"), "AdmissionReview");
    const json::Value* response = doc.root.find("response");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->string_at("uid"), "u-1");
    EXPECT_FALSE(response->find("allowed")->as_bool());
    EXPECT_EQ(response->find("status")->find("code")->as_integer(), 403);
    EXPECT_EQ(response->find("status")->string_at("reason"), "Forbidden");
    EXPECT_EQ(response->find("status")->string_at("message"), "no-pause/paused: spec.paused must not be set");
    EXPECT_FALSE(response->find("patch"));  // never on /validate
    EXPECT_FALSE(response->find("patchType"));
  }
}

TEST(HandleTest, MutateReturnsBase64JsonPatchOnlyWhenThereIsOneAndNeverOnDelete) {
  auto set = policies(kForbidPaused);
  auto out = admission::handle(review("admission.k8s.io/v1", "CREATE", kPaused), engine::Endpoint::Mutate, *set, kNow);
  auto doc = parse(out.body);
  const json::Value* response = doc.root.find("response");
  EXPECT_TRUE(response->find("allowed")->as_bool());  // /mutate only mutates
  EXPECT_EQ(response->string_at("patchType"), "JSONPatch");
  // [{"op":"add","path":"/metadata/labels","value":{"checked":"yes"}}]
  EXPECT_EQ(response->string_at("patch"),
            "W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscyIsInZhbHVlIjp7ImNoZWNrZWQiOiJ5ZXMifX1d");
  auto del = admission::handle(review("admission.k8s.io/v1", "DELETE", kRunning), engine::Endpoint::Mutate, *set, kNow);
  auto del_doc = parse(del.body);
  EXPECT_FALSE(del_doc.root.find("response")->find("patch"));
  EXPECT_FALSE(del_doc.root.find("response")->find("patchType"));
}

TEST(HandleTest, DeleteReadsOldObject) {
  auto set = policies(kForbidPaused);
  auto out = admission::handle(review("admission.k8s.io/v1", "DELETE", kPaused), engine::Endpoint::Validate, *set, kNow);
  EXPECT_FALSE(out.decision.allowed);
}

TEST(HandleTest, InputThatIsNotAReviewGets400NamingTheProblem) {
  auto set = policies(kForbidPaused);
  struct Case {
    std::string body, expected;
  } cases[] = {
      {"", "empty"},
      {"{not json", "malformed JSON"},
      {"[1,2]", "expected an AdmissionReview object"},
      {R"({"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview","request":{}})", "apiVersion: \"admission.k8s.io/v2\" is not supported"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "request: missing"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"}}})", "request.uid"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"operation":"PATCH","userInfo":{}}})",
       "request.operation: expected CREATE, UPDATE, DELETE or CONNECT, found \"PATCH\""},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"operation":"CREATE","userInfo":{"username":"a","groups":[1]},"object":{}}})",
       "request.userInfo.groups[0]: expected a string, found a number"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"operation":"CREATE","userInfo":{"username":"a"}}})",
       "request.object: missing"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"},"operation":"CREATE","userInfo":{"username":"a"},"object":{},"dryRun":"yes"}})",
       "request.dryRun: expected a boolean, found a string"},
  };
  for (const Case& c : cases) {
    auto out = admission::handle(c.body, engine::Endpoint::Validate, *set, kNow);
    EXPECT_EQ(out.http_status, 400) << c.body;
    EXPECT_NE(out.error.find(c.expected), std::string::npos) << out.error;
    EXPECT_TRUE(out.audit_line.empty());
    auto doc = parse(out.body);  // the error body is JSON too
    EXPECT_NE(doc.root.string_at("error").find(c.expected), std::string::npos);
  }
}

TEST(HandleTest, NestingDeeperThanTheLimitIsRefusedNamingTheLimit) {
  auto set = policies(kForbidPaused);
  std::string deep = std::string(200, '[') + std::string(200, ']');
  auto out = admission::handle(deep, engine::Endpoint::Validate, *set, kNow, {.max_depth = 64});
  EXPECT_EQ(out.http_status, 400);
  EXPECT_NE(out.error.find("deeper than the limit of 64"), std::string::npos) << out.error;
}

TEST(WarningsTest, ControlCharactersInvalidUtf8AndLengthsAreMadeAcceptable) {
  auto out = admission::sanitize_warnings({"line\none\ttab", "bad \xff byte", "ok \xc3\xa9", std::string(1000, 'x')});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], "line one tab");
  EXPECT_EQ(out[1], "bad  byte");
  EXPECT_EQ(out[2], "ok \xc3\xa9");
  EXPECT_EQ(out[3].size(), admission::kMaxWarningLength);
  EXPECT_EQ(out[3].substr(out[3].size() - 3), "...");
  std::vector<std::string> many(100, std::string(200, 'w'));
  auto capped = admission::sanitize_warnings(many);
  std::size_t total = 0;
  for (const auto& w : capped) total += w.size();
  EXPECT_LE(total, admission::kMaxWarningsTotal);
  EXPECT_NE(capped.back().find("more warnings"), std::string::npos);
}

TEST(WarningsTest, TruncationNeverSplitsAUtf8Sequence) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "\xc3\xa9";  // é, two bytes each
  auto out = admission::sanitize_warnings({text});
  std::string body;
  json::write_string(out[0], body);
  EXPECT_EQ(body.find("\xEF\xBF\xBD"), std::string::npos);  // no replacement character needed
}

}  // namespace
}  // namespace driftgate

namespace driftgate {
namespace {

// managedFields are left out of the decoded review unless a policy reads them;
// a policy that does must still see them.
TEST(HandleTest, ManagedFieldsAreDecodedOnlyWhenAPolicyReadsThem) {
  const std::string body = review("admission.k8s.io/v1", "CREATE",
                                  R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)"
                                  R"("managedFields":[{"manager":"kubectl-edit","operation":"Update"}]},"spec":{}})");
  auto ignoring = policies(kForbidPaused);
  EXPECT_FALSE(ignoring->reads_managed_fields());
  auto reading = policies(R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: no-kubectl}
spec:
  rules:
    - name: manager
      pattern: {path: "metadata.managedFields[*].manager", regex: "^kubectl", negate: true}
)");
  EXPECT_TRUE(reading->reads_managed_fields());
  auto out = admission::handle(body, engine::Endpoint::Validate, *reading, kNow);
  EXPECT_FALSE(out.decision.allowed);
  EXPECT_NE(out.decision.message.find("metadata.managedFields[0].manager"), std::string::npos) << out.decision.message;
  EXPECT_TRUE(admission::handle(body, engine::Endpoint::Validate, *ignoring, kNow).decision.allowed);
}

TEST(ParseTest, OmitLeavesOutExactlyTheNamedMembers) {
  static constexpr std::string_view kPath[] = {"a", "b"};
  static constexpr json::KeyPath kOmit[] = {kPath};
  auto doc = json::parse(R"({"a":{"b":[1,2],"c":3},"b":4,"x":{"a":{"b":5}}})", {.omit = kOmit});
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json::to_string(doc->root), R"({"a":{"c":3},"b":4,"x":{"a":{"b":5}}})");
  EXPECT_FALSE(json::parse(R"({"a":{"b":[1,}})", {.omit = kOmit}).ok());  // still validated
}

TEST(PathTest, MayTouchKnowsWhatAPathCanReach) {
  constexpr std::string_view kKeys[] = {"metadata", "managedFields"};
  for (const char* yes : {"metadata", "metadata.managedFields[0].manager", "*.managedFields", "**.manager", "metadata.*"})
    EXPECT_TRUE(path::Path::parse(yes)->may_touch(kKeys)) << yes;
  for (const char* no : {"metadata.labels", "spec.**", "metadata.annotations[\"x\"]", "status"})
    EXPECT_FALSE(path::Path::parse(no)->may_touch(kKeys)) << no;
}

// Regression (issue 13): the API server sends a Namespace's own name as
// request.namespace (observed on 1.28), so messages said "Namespace team-zz/team-zz"
// and `namespaces:` globs matched it, though the contract gives a cluster-scoped
// object the namespace "". The request's namespace of a Namespace is "".
// `scan --manifests` judges what Git holds: `frozen` (writes outside Git) must not
// refuse a manifest that carries a GitOps owner's markers (`flux build` adds them),
// while every other rule applies, transitions included.
TEST(HandleTest, WhatGitHoldsIsNotRefusedByFrozenButMeetsEveryOtherRule) {
  auto set = policies(R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: guard}
spec:
  match: {kinds: [Deployment]}
  rules:
    - {name: git-only, frozen: {}}
    - {name: selector, immutable: [spec.selector]}
    - {name: paused, forbid: [spec.paused]}
)");
  const std::string flux = R"("labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"})";
  const std::string live = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)" + flux +
                           R"(},"spec":{"selector":{"app":"web"}}})";
  const std::string changed = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)" + flux +
                              R"(},"spec":{"selector":{"app":"web2"}}})";
  const std::string create = review("admission.k8s.io/v1", "CREATE", live);
  const std::string update = review("admission.k8s.io/v1", "UPDATE", changed, R"(,"oldObject":)" + live);

  using engine::Source;
  auto violations = [&](const std::string& body, Source source) { return violated_rules(body, *set, source); };
  EXPECT_EQ(violations(create, Source::Admission), std::vector<std::string>{"git-only"});
  EXPECT_TRUE(violations(create, Source::Git).empty());
  EXPECT_EQ(violations(update, Source::Admission), (std::vector<std::string>{"git-only", "selector"}));
  EXPECT_EQ(violations(update, Source::Git), std::vector<std::string>{"selector"});
  const std::string paused = review("admission.k8s.io/v1", "CREATE", R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)" + flux + R"(},"spec":{"paused":true}})");
  EXPECT_EQ(violations(paused, Source::Git), std::vector<std::string>{"paused"});
}

// A background scan judges an object as it is stored: no change exists, so the
// rules that judge a transition (frozen, immutable, monotonic) never apply, even on
// an UPDATE whose oldObject differs; the rules that judge a state all do.
TEST(HandleTest, AStoredObjectMeetsOnlyTheRulesThatJudgeAState) {
  auto set = policies(R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: guard}
spec:
  match: {kinds: [Deployment]}
  rules:
    - {name: git-only, frozen: {}}
    - {name: selector, immutable: [spec.selector]}
    - {name: forward, monotonic: {path: spec.revision, order: integer}}
    - {name: paused, forbid: [spec.paused]}
    - {name: replicas, expect: {path: spec.replicas, min: 2}}
)");
  const std::string flux = R"("labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"})";
  const std::string before = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)" + flux +
                             R"(},"spec":{"selector":{"app":"web"},"revision":7,"replicas":3}})";
  const std::string after = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",)" + flux +
                            R"(},"spec":{"selector":{"app":"web2"},"revision":6,"paused":true,"replicas":1}})";
  const std::string update = review("admission.k8s.io/v1", "UPDATE", after, R"(,"oldObject":)" + before);
  auto violations = [&](engine::Source source) { return violated_rules(update, *set, source); };
  EXPECT_EQ(violations(engine::Source::Admission),
            (std::vector<std::string>{"git-only", "selector", "forward", "paused", "replicas"}));
  EXPECT_EQ(violations(engine::Source::Stored), (std::vector<std::string>{"paused", "replicas"}));
}

TEST(HandleTest, ANamespaceIsClusterScopedThoughTheApiServerSendsItsOwnName) {
  std::ifstream in(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/namespace-update.json");
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(body.find("\"namespace\": \"team-zz\""), std::string::npos) << "the fixture is what the API server sends";
  auto doc = parse(body);
  auto decoded = admission::decode(doc.root);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->request.namespace_, "");
  EXPECT_EQ(decoded->request.name, "team-zz");

  auto set = policies(R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: tenants}
spec:
  match: {kinds: [Namespace], namespaces: ["team-*"]}
  rules:
    - {name: r, forbid: [metadata.labels]}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: guard}
spec:
  match: {kinds: [Namespace]}
  rules:
    - {name: f, frozen: {}}
)");
  auto out = admission::handle(body, engine::Endpoint::Validate, *set, kNow);
  ASSERT_EQ(out.http_status, 200) << out.error;
  EXPECT_EQ(out.decision.message,
            "guard/f: Namespace team-zz is managed by Flux Kustomization flux-system/tenants; change "
            "metadata.labels[\"pod-security.kubernetes.io/enforce\"] in Git instead")
      << "namespaces: [team-*] selects objects in those namespaces, not Namespace objects";
  EXPECT_EQ(out.audit_line.find("\"namespace\":\"team-zz\""), std::string::npos) << out.audit_line;
}

}  // namespace
}  // namespace driftgate
