// A /scale write judged by its parent (admission/scale_parent.h), with parents
// held in memory: the server's watch cache is tests/kube/scale_guard_test.cc's.
#include "admission/scale_parent.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>

#include "admission/handle.h"
#include "json/parse.h"
#include "policy/loader.h"
#include "test_support.h"

namespace driftgate {
namespace {

using testing::at;

const TimePoint kNow = at("2026-11-22T16:00:00Z");

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The fixture: `kubectl scale deployment/users-api --replicas=5` by jane, as kube-apiserver 1.28 sends it.
std::string scale_review(const std::string& username = "jane@example.com",
                         const std::string& groups = R"("developers", "system:authenticated")") {
  std::string text = read_text(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fixtures/scale-deployment-kubectl.json");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  replace("\"jane@example.com\"", "\"" + username + "\"");
  replace(R"("developers", "system:authenticated")", groups);
  return text;
}

std::shared_ptr<const policy::PolicySet> default_policies() {
  auto loaded = policy::load_directory(std::string(DRIFTGATE_SOURCE_DIR) + "/policies");
  EXPECT_TRUE(loaded.ok()) << loaded.error_text();
  return loaded.set;
}

constexpr std::string_view kFluxDeployment = R"({"apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "users-api", "namespace": "users", "uid": "0c8e4a52",
               "labels": {"app": "users-api", "kustomize.toolkit.fluxcd.io/name": "apps",
                          "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}}})";

// Counts find() calls and answers from a StaticParents, or fails when told to.
class CountingParents : public admission::ParentLookup {
 public:
  admission::StaticParents objects;
  std::string failure;  // non-empty: every find() fails with it
  mutable std::atomic<int> calls{0};
  Result<std::optional<admission::ParentObject>> find(const admission::ParentRef& ref, json::Arena& arena) const override {
    ++calls;
    if (!failure.empty()) return Error{failure};
    return objects.find(ref, arena);
  }
};

struct Answer {
  bool allowed = false;
  std::string message;
  std::vector<std::string> warnings;
};

Answer judge(const std::string& review, const admission::ParentLookup& parents,
             admission::LookupFailure on_failure = admission::LookupFailure::Deny,
             engine::Endpoint endpoint = engine::Endpoint::Validate) {
  static const auto set = default_policies();
  auto outcome = admission::handle(review, endpoint, *set, kNow, {}, {}, engine::Source::Admission,
                                   {.parents = &parents, .on_failure = on_failure});
  EXPECT_EQ(outcome.http_status, 200) << outcome.error;
  return {outcome.decision.allowed, outcome.decision.message, outcome.decision.warnings};
}

std::unique_ptr<CountingParents> with_parent(std::string_view object) {
  auto parents = std::make_unique<CountingParents>();
  testing::Documents docs;
  auto added = parents->objects.add(docs.json(object));
  EXPECT_TRUE(added.ok());
  return parents;
}

TEST(ScaleByParent, APersonsScaleOfAFluxManagedDeploymentIsRefusedNamingTheOwnerAndReplicas) {
  auto parents = with_parent(kFluxDeployment);
  Answer a = judge(scale_review(), *parents);
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.message,
            "gitops-ownership/no-manual-edits: Deployment users/users-api is managed by Flux Kustomization "
            "flux-system/apps; change spec.replicas in Git instead");
  EXPECT_EQ(parents->calls, 1);
}

TEST(ScaleByParent, WithoutALookupTheScaleIsJudgedAsItComesAndPasses) {
  static const auto set = default_policies();
  auto outcome = admission::handle(scale_review(), engine::Endpoint::Validate, *set, kNow);
  EXPECT_TRUE(outcome.decision.allowed) << outcome.decision.message;
}

TEST(ScaleByParent, TheHpaScalesWithoutALookupEvenWhenTheApiServerIsDown) {
  auto parents = with_parent(kFluxDeployment);
  parents->failure = "connection refused";
  Answer a = judge(scale_review("system:serviceaccount:kube-system:horizontal-pod-autoscaler",
                                R"("system:serviceaccounts", "system:serviceaccounts:kube-system")"),
                   *parents);
  EXPECT_TRUE(a.allowed) << a.message;
  EXPECT_EQ(parents->calls, 0) << "an excluded subject needs no parent";
  // And Flux's own controller likewise.
  a = judge(scale_review("system:serviceaccount:flux-system:kustomize-controller", R"("system:serviceaccounts")"), *parents);
  EXPECT_TRUE(a.allowed) << a.message;
  EXPECT_EQ(parents->calls, 0);
}

TEST(ScaleByParent, OnCallUnderABreakGlassWindowOnTheParentIsAllowedWithTheWarning) {
  auto parents = with_parent(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "users-api", "namespace": "users",
                 "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
                 "annotations": {"driftgate.dev/break-glass-until": "2026-11-22T18:00:00Z",
                                 "driftgate.dev/break-glass-reason": "INC-4312 traffic spike"}}})");
  Answer a = judge(scale_review("bob@example.com", R"("oncall", "system:authenticated")"), *parents);
  EXPECT_TRUE(a.allowed) << a.message;
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0],
            "break-glass by bob@example.com until 2026-11-22T18:00:00Z (INC-4312 traffic spike): gitops-ownership "
            "allowed spec.replicas; commit the change to Git");
  // Not on-call: the same window does not open for jane.
  a = judge(scale_review(), *parents);
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("break-glass refused: user jane@example.com may not break glass"), std::string::npos)
      << a.message;
}

TEST(ScaleByParent, AScaleOfAnUnmanagedOrOptedOutDeploymentIsAllowed) {
  auto unmanaged = with_parent(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "users-api", "namespace": "users", "labels": {"app": "users-api"}}})");
  EXPECT_TRUE(judge(scale_review(), *unmanaged).allowed);
  auto opted_out = with_parent(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "users-api", "namespace": "users",
                 "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
                 "annotations": {"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}}})");
  EXPECT_TRUE(judge(scale_review(), *opted_out).allowed);
}

TEST(ScaleByParent, AnArgoCdManagedStatefulSetIsFoundUnderItsOwnResource) {
  std::string review = scale_review();
  review.replace(review.find(R"("resource": "deployments")"), 25, R"("resource": "statefulsets")");
  auto parents = with_parent(R"({"apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": "users-api", "namespace": "users",
                 "annotations": {"argocd.argoproj.io/tracking-id": "users:apps/StatefulSet:users/users-api"}}})");
  Answer a = judge(review, *parents);
  EXPECT_FALSE(a.allowed);
  EXPECT_NE(a.message.find("StatefulSet users/users-api is managed by Argo CD Application argocd/users; change spec.replicas"),
            std::string::npos)
      << a.message;
}

TEST(ScaleByParent, AParentThatCannotBeLookedUpIsRefusedOrAllowedAsTheFlagSays) {
  auto parents = with_parent(kFluxDeployment);
  parents->failure = "GET /apis/apps/v1/namespaces/users/deployments/users-api: timed out after 2000 ms";
  Answer denied = judge(scale_review(), *parents);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.message,
            "driftgate could not look up deployments.apps users/users-api to judge this scale by its owner: GET "
            "/apis/apps/v1/namespaces/users/deployments/users-api: timed out after 2000 ms; refused "
            "(--lookup-failure=deny, the default; retry, or scale through Git)");
  Answer allowed = judge(scale_review(), *parents, admission::LookupFailure::Allow);
  EXPECT_TRUE(allowed.allowed);
  ASSERT_EQ(allowed.warnings.size(), 1u);
  EXPECT_NE(allowed.warnings[0].find("allowed unjudged (--lookup-failure=allow)"), std::string::npos);
}

TEST(ScaleByParent, OrdinaryWritesAndMutateNeverLookAnythingUp) {
  auto parents = with_parent(kFluxDeployment);
  parents->failure = "must not be called";
  // /mutate: a patch would apply to the Scale, not to the parent.
  EXPECT_TRUE(judge(scale_review(), *parents, admission::LookupFailure::Deny, engine::Endpoint::Mutate).allowed);
  // A write of the Deployment itself carries its labels.
  std::string review = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",
    "kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},
    "name":"users-api","namespace":"users","operation":"UPDATE","userInfo":{"username":"jane@example.com"},
    "object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"users-api","namespace":"users"},"spec":{"replicas":5}},
    "oldObject":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"users-api","namespace":"users"},"spec":{"replicas":2}}}})";
  EXPECT_TRUE(judge(review, *parents).allowed);
  EXPECT_EQ(parents->calls, 0);
}

TEST(ScaleByParent, StaticParentsRefuseAnObjectWithoutKindOrName) {
  admission::StaticParents parents;
  testing::Documents docs;
  auto added = parents.add(docs.json(R"({"apiVersion": "apps/v1", "metadata": {"name": "x"}})"));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error(), "a parent object needs apiVersion, kind and metadata.name");
}

}  // namespace
}  // namespace driftgate
