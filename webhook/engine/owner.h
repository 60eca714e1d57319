#pragma once
// Who manages an object, read from the markers Flux, Argo CD and Helm put on it.
#include <string>
#include <string_view>

#include "json/value.h"

namespace driftgate::engine {

// The tool whose markers an object carries, in the order they are read: a Flux
// HelmRelease's objects also carry Helm's markers, and helm-controller is their
// writer, so Flux wins over Helm.
enum class GitOpsTool { None, FluxHelmRelease, FluxKustomization, ArgoCD, Helm };

struct GitOpsOwner {
  GitOpsTool tool = GitOpsTool::None;
  std::string namespace_;  // of the Kustomization, HelmRelease, Application or release
  std::string name;
  // "Flux Kustomization flux-system/apps", ..., or kUnknownOwner.
  std::string str() const;
};

// "Flux Kustomization flux-system/apps", "Flux HelmRelease infra/kyverno",
// "Argo CD Application argocd/users-api", "Helm release team/web", or
// kUnknownOwner.
inline constexpr std::string_view kUnknownOwner = "unknown owner";
GitOpsOwner find_gitops_owner(const json::Value& object);
std::string gitops_owner(const json::Value& object);  // find_gitops_owner(object).str()

}  // namespace driftgate::engine
