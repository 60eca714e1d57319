#include "engine/owner.h"

namespace driftgate::engine {
namespace {

// Argo CD names an application `<name>` when it lives in the control-plane
// namespace (argocd by default) and `<namespace>_<name>` otherwise.
std::string argo_application(std::string_view instance) {
  auto underscore = instance.find('_');
  if (underscore == std::string_view::npos) return "Argo CD Application argocd/" + std::string(instance);
  return "Argo CD Application " + std::string(instance.substr(0, underscore)) + "/" +
         std::string(instance.substr(underscore + 1));
}

std::string qualified(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

}  // namespace

std::string gitops_owner(const json::Value& object) {
  const json::Value* metadata = object.find("metadata");
  if (!metadata) return std::string(kUnknownOwner);
  const json::Value* labels = metadata->find("labels");
  const json::Value* annotations = metadata->find("annotations");
  auto label = [&](std::string_view key) { return labels ? labels->string_at(key) : std::string_view{}; };
  auto annotation = [&](std::string_view key) { return annotations ? annotations->string_at(key) : std::string_view{}; };

  if (auto name = label("helm.toolkit.fluxcd.io/name"); !name.empty())
    return "Flux HelmRelease " + qualified(label("helm.toolkit.fluxcd.io/namespace"), name);
  if (auto name = label("kustomize.toolkit.fluxcd.io/name"); !name.empty())
    return "Flux Kustomization " + qualified(label("kustomize.toolkit.fluxcd.io/namespace"), name);
  // tracking-id: <app>:<group>/<kind>:<namespace>/<name>
  if (auto id = annotation("argocd.argoproj.io/tracking-id"); !id.empty())
    return argo_application(id.substr(0, id.find(':')));
  if (auto instance = label("argocd.argoproj.io/instance"); !instance.empty()) return argo_application(instance);
  if (auto release = annotation("meta.helm.sh/release-name"); !release.empty())
    return "Helm release " + qualified(annotation("meta.helm.sh/release-namespace"), release);
  return std::string(kUnknownOwner);
}

}  // namespace driftgate::engine
