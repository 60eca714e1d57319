#pragma once
// Who manages an object, read from the markers Flux, Argo CD and Helm put on it.
#include <string>
#include <string_view>

#include "json/value.h"

namespace driftgate::engine {

// "Flux Kustomization flux-system/apps", "Flux HelmRelease infra/kyverno",
// "Argo CD Application argocd/users-api", "Helm release team/web", or
// kUnknownOwner.
inline constexpr std::string_view kUnknownOwner = "unknown owner";
std::string gitops_owner(const json::Value& object);

}  // namespace driftgate::engine
