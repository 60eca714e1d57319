#include "kube_kinds/kube_kinds.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "util/suggest.h"

namespace driftgate {
namespace {

TEST(KubeKinds, EachKindOnceWithALowerCasePluralResource) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const kube_kinds::KindInfo& k : kube_kinds::all_kinds()) {
    EXPECT_TRUE(seen.emplace(k.group, k.kind).second) << k.group << "/" << k.kind;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(k.kind.front()))) << k.kind;
    for (char c : k.resource) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '/' || c == '*') << k.resource;
  }
  EXPECT_GE(kube_kinds::all_kinds().size(), 80u);
}

TEST(KubeKinds, KnowsTheKubernetesFluxAndArgoCdKindsPoliciesName) {
  struct Want {
    std::string_view group, kind, resource;
    bool namespaced, status, scale;
  };
  for (const Want& w : {Want{"", "Service", "services", true, true, false},
                        Want{"", "Endpoints", "endpoints", true, false, false},
                        Want{"", "Namespace", "namespaces", false, true, false},
                        Want{"apps", "Deployment", "deployments", true, true, true},
                        Want{"networking.k8s.io", "NetworkPolicy", "networkpolicies", true, false, false},
                        Want{"policy", "PodDisruptionBudget", "poddisruptionbudgets", true, true, false},
                        Want{"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false, false, false},
                        Want{"autoscaling", "Scale", "*/scale", true, false, false},
                        Want{"helm.toolkit.fluxcd.io", "HelmRelease", "helmreleases", true, true, false},
                        Want{"image.toolkit.fluxcd.io", "ImagePolicy", "imagepolicies", true, true, false},
                        Want{"argoproj.io", "AppProject", "appprojects", true, false, false}}) {
    const kube_kinds::KindInfo* k = kube_kinds::find(w.group, w.kind);
    ASSERT_NE(k, nullptr) << w.group << "/" << w.kind;
    EXPECT_EQ(k->resource, w.resource);
    EXPECT_EQ(k->namespaced, w.namespaced) << w.kind;
    EXPECT_EQ(k->status, w.status) << w.kind;
    EXPECT_EQ(k->scale, w.scale) << w.kind;
  }
  EXPECT_EQ(kube_kinds::find("apps", "Service"), nullptr);
  EXPECT_EQ(kube_kinds::find_kind("Event").size(), 2u) << "core and events.k8s.io";
  EXPECT_TRUE(kube_kinds::is_known_group(""));
  EXPECT_TRUE(kube_kinds::is_known_group("source.toolkit.fluxcd.io"));
  EXPECT_FALSE(kube_kinds::is_known_group("core")) << "\"core\" is how policies spell the group \"\"";
  EXPECT_FALSE(kube_kinds::is_known_group("cert-manager.io"));
}

// Regression: Scale, Eviction and TokenRequest were registered in their own group,
// where no request for them ever is: a webhook rule matches the group of the resource
// written, and these kinds are only ever written as another group's subresource.
TEST(KubeKinds, ASubresourceOnlyKindIsRequestedUnderItsParentsGroup) {
  struct Want {
    std::string_view group, kind, resource_group, resource;
  };
  for (const Want& w : {Want{"autoscaling", "Scale", "*", "*/scale"}, Want{"policy", "Eviction", "", "pods/eviction"},
                        Want{"authentication.k8s.io", "TokenRequest", "", "serviceaccounts/token"}}) {
    const kube_kinds::KindInfo* k = kube_kinds::find(w.group, w.kind);
    ASSERT_NE(k, nullptr) << w.kind;
    EXPECT_TRUE(k->subresource_only()) << w.kind;
    EXPECT_EQ(k->resource_group(), w.resource_group) << w.kind;
    EXPECT_EQ(k->resource, w.resource) << w.kind;
  }
  // Every other kind is requested as a resource of its own group.
  for (const kube_kinds::KindInfo& k : kube_kinds::all_kinds()) {
    EXPECT_EQ(k.subresource_only(), k.requested_under_group.has_value()) << k.kind;
    if (!k.subresource_only()) {
      EXPECT_EQ(k.resource_group(), k.group) << k.kind;
    }
  }
}

TEST(KubeKinds, GuessesACustomResourcesPluralAsKubernetesDoes) {
  EXPECT_EQ(kube_kinds::guess_resource("Widget"), "widgets");
  EXPECT_EQ(kube_kinds::guess_resource("NetworkPolicy"), "networkpolicies");
  EXPECT_EQ(kube_kinds::guess_resource("Ingress"), "ingresses");
  EXPECT_EQ(kube_kinds::guess_resource("ServiceEndpoints"), "serviceendpoints");
}

TEST(Suggest, NearMissesByCaseEditsAndSwaps) {
  EXPECT_EQ(edit_distance("dirftgate", "driftgate"), 1u) << "a swap of neighbours is one edit";
  EXPECT_EQ(edit_distance("allowd", "allowed"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest("allowd", {"allowed", "message", "warnings"}), "allowed");
  EXPECT_EQ(closest("delete", {"CREATE", "UPDATE", "DELETE", "CONNECT"}), "DELETE");
  EXPECT_EQ(closest("casess", {"now", "cases"}), "cases");
  EXPECT_EQ(closest("kind", {"operations", "kinds", "namespaces"}), "kinds");
  EXPECT_EQ(closest("spec", {"operations", "kinds"}), std::nullopt) << "nothing near: no suggestion";
  EXPECT_EQ(did_you_mean(std::nullopt), "");
  EXPECT_EQ(did_you_mean("x"), "; did you mean \"x\"?");
}

}  // namespace
}  // namespace driftgate
