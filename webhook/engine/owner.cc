#include "engine/owner.h"

namespace driftgate::engine {
namespace {

// Argo CD names an application `<name>` when it lives in the control-plane
// namespace (argocd by default) and `<namespace>_<name>` otherwise.
GitOpsOwner argo_application(std::string_view instance) {
  auto underscore = instance.find('_');
  if (underscore == std::string_view::npos) return {GitOpsTool::ArgoCD, "argocd", std::string(instance)};
  return {GitOpsTool::ArgoCD, std::string(instance.substr(0, underscore)),
          std::string(instance.substr(underscore + 1))};
}

std::string qualified(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

}  // namespace

std::string GitOpsOwner::str() const {
  switch (tool) {
    case GitOpsTool::None: break;
    case GitOpsTool::FluxHelmRelease: return "Flux HelmRelease " + qualified(namespace_, name);
    case GitOpsTool::FluxKustomization: return "Flux Kustomization " + qualified(namespace_, name);
    case GitOpsTool::ArgoCD: return "Argo CD Application " + qualified(namespace_, name);
    case GitOpsTool::Helm: return "Helm release " + qualified(namespace_, name);
  }
  return std::string(kUnknownOwner);
}

GitOpsOwner find_gitops_owner(const json::Value& object) {
  const json::Value* metadata = object.find("metadata");
  if (!metadata) return {};
  const json::Value* labels = metadata->find("labels");
  const json::Value* annotations = metadata->find("annotations");
  auto label = [&](std::string_view key) { return labels ? labels->string_at(key) : std::string_view{}; };
  auto annotation = [&](std::string_view key) { return annotations ? annotations->string_at(key) : std::string_view{}; };

  if (auto name = label("helm.toolkit.fluxcd.io/name"); !name.empty())
    return {GitOpsTool::FluxHelmRelease, std::string(label("helm.toolkit.fluxcd.io/namespace")), std::string(name)};
  if (auto name = label("kustomize.toolkit.fluxcd.io/name"); !name.empty())
    return {GitOpsTool::FluxKustomization, std::string(label("kustomize.toolkit.fluxcd.io/namespace")),
            std::string(name)};
  // tracking-id: <app>:<group>/<kind>:<namespace>/<name>
  if (auto id = annotation("argocd.argoproj.io/tracking-id"); !id.empty())
    return argo_application(id.substr(0, id.find(':')));
  if (auto instance = label("argocd.argoproj.io/instance"); !instance.empty()) return argo_application(instance);
  if (auto release = annotation("meta.helm.sh/release-name"); !release.empty())
    return {GitOpsTool::Helm, std::string(annotation("meta.helm.sh/release-namespace")), std::string(release)};
  return {};
}

std::string gitops_owner(const json::Value& object) { return find_gitops_owner(object).str(); }

}  // namespace driftgate::engine
