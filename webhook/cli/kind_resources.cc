#include "cli/kind_resources.h"

#include <array>
#include <utility>

namespace driftgate::cli {

std::optional<KindResource> resource_for_kind(std::string_view kind) {
  static constexpr std::array<std::pair<std::string_view, KindResource>, 38> kTable{{
      {"Pod", {"", "pods"}},
      {"ConfigMap", {"", "configmaps"}},
      {"Secret", {"", "secrets"}},
      {"Service", {"", "services"}},
      {"ServiceAccount", {"", "serviceaccounts"}},
      {"Namespace", {"", "namespaces"}},
      {"PersistentVolumeClaim", {"", "persistentvolumeclaims"}},
      {"PersistentVolume", {"", "persistentvolumes"}},
      {"Endpoints", {"", "endpoints"}},
      {"LimitRange", {"", "limitranges"}},
      {"ResourceQuota", {"", "resourcequotas"}},
      {"ReplicationController", {"", "replicationcontrollers"}},
      {"Node", {"", "nodes"}},
      {"Deployment", {"apps", "deployments"}},
      {"StatefulSet", {"apps", "statefulsets"}},
      {"DaemonSet", {"apps", "daemonsets"}},
      {"ReplicaSet", {"apps", "replicasets"}},
      {"Job", {"batch", "jobs"}},
      {"CronJob", {"batch", "cronjobs"}},
      {"PodDisruptionBudget", {"policy", "poddisruptionbudgets"}},
      {"HorizontalPodAutoscaler", {"autoscaling", "horizontalpodautoscalers"}},
      {"Ingress", {"networking.k8s.io", "ingresses"}},
      {"NetworkPolicy", {"networking.k8s.io", "networkpolicies"}},
      {"Role", {"rbac.authorization.k8s.io", "roles"}},
      {"RoleBinding", {"rbac.authorization.k8s.io", "rolebindings"}},
      {"ClusterRole", {"rbac.authorization.k8s.io", "clusterroles"}},
      {"ClusterRoleBinding", {"rbac.authorization.k8s.io", "clusterrolebindings"}},
      {"CustomResourceDefinition", {"apiextensions.k8s.io", "customresourcedefinitions"}},
      {"StorageClass", {"storage.k8s.io", "storageclasses"}},
      {"PriorityClass", {"scheduling.k8s.io", "priorityclasses"}},
      {"HelmRelease", {"helm.toolkit.fluxcd.io", "helmreleases"}},
      {"Kustomization", {"kustomize.toolkit.fluxcd.io", "kustomizations"}},
      {"GitRepository", {"source.toolkit.fluxcd.io", "gitrepositories"}},
      {"HelmRepository", {"source.toolkit.fluxcd.io", "helmrepositories"}},
      {"Application", {"argoproj.io", "applications"}},
      {"ApplicationSet", {"argoproj.io", "applicationsets"}},
      {"AppProject", {"argoproj.io", "appprojects"}},
      {"Certificate", {"cert-manager.io", "certificates"}},
  }};
  for (const auto& [k, r] : kTable)
    if (k == kind) return r;
  return std::nullopt;
}

}  // namespace driftgate::cli
