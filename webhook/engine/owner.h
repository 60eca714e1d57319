#pragma once
// Who manages an object, read from the markers Flux, Argo CD and Helm put on it.
#include <string>

#include "json/value.h"

namespace driftgate::engine {

// "Flux Kustomization flux-system/apps", "Flux HelmRelease infra/kyverno",
// "Argo CD Application argocd/users-api", "Helm release team/web", or
// "unknown owner".
std::string gitops_owner(const json::Value& object);

}  // namespace driftgate::engine
