#pragma once
// The Kubernetes API kinds driftgate knows without a cluster: every kind the API
// groups of a current Kubernetes (1.32) serve, and the custom resources of Flux
// and Argo CD that GitOps policies name. One table, shared by the policy loader
// (does `kinds: [X]` name a real kind?), `driftgate webhook-config` (which
// resource to register) and PolicyTest (the request's resource), so they can never
// disagree. A kind outside it is a custom resource, written `group/Kind`.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftgate::kube_kinds {

struct KindInfo {
  std::string_view group;     // "" for the core group (written "core" in policies)
  std::string_view kind;      // "Deployment"
  // The plural resource: "deployments". A kind that only exists as a subresource's
  // request says where it arrives: "*/scale" (Scale), "pods/eviction" (Eviction),
  // "serviceaccounts/token" (TokenRequest).
  std::string_view resource;
  bool namespaced = true;
  bool status = false;  // has a /status subresource
  bool scale = false;   // has a /scale subresource
  // Set only for a subresource-only kind: the group of the resource it is requested
  // under, which is not the kind's own. The API server matches webhook rules (and
  // fills request.resource) with the group of the resource written: an Eviction
  // (policy) is a write of core pods/eviction, a TokenRequest (authentication.k8s.io)
  // of core serviceaccounts/token, a Scale (autoscaling) of the /scale of any group's
  // scalable resource ("*": apps deployments, core replicationcontrollers, custom
  // resources).
  std::optional<std::string_view> requested_under_group{};

  // The group webhook rules must name for this kind ("*": every group).
  constexpr std::string_view resource_group() const { return requested_under_group.value_or(group); }
  // Whether this kind only exists as a subresource's request (its resource is
  // "parent/subresource").
  constexpr bool subresource_only() const { return resource.find('/') != std::string_view::npos; }
};

std::span<const KindInfo> all_kinds();

// The kind in that group ("" is the core group), or nullptr.
const KindInfo* find(std::string_view group, std::string_view kind);
// Every group's entry for this kind (Event is in "" and events.k8s.io).
std::vector<const KindInfo*> find_kind(std::string_view kind);

// Whether some kind of the table is in this group ("" is the core group).
bool is_known_group(std::string_view group);
// The distinct groups of the table, in table order ("" first).
std::span<const std::string_view> known_groups();

// For a kind outside the table: the resource Kubernetes itself guesses
// (apimachinery's UnsafeGuessKindToResource: lower case, then "s", "es" after an
// s, "ies" for a final y). A custom resource's real plural is whatever its CRD says.
std::string guess_resource(std::string_view kind);

// An object's apiVersion as {group, version}: "apps/v1" -> {apps, v1}; "v1" -> {"", v1}.
std::pair<std::string_view, std::string_view> split_api_version(std::string_view api_version);

}  // namespace driftgate::kube_kinds
