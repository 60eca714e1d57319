#include "kube_kinds/kube_kinds.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace driftgate::kube_kinds {
namespace {

constexpr bool kNamespaced = true, kCluster = false;
constexpr bool kStatus = true, kNoStatus = false;
constexpr bool kScale = true, kNoScale = false;
// Where a subresource-only kind is requested (KindInfo::requested_under_group).
constexpr std::optional<std::string_view> kCoreGroup = "", kEveryGroup = "*";

// From the API reference of Kubernetes 1.32 (`kubectl api-resources` of a cluster
// with every feature gate on), and the CRDs Flux 2.4 and Argo CD 2.13 install.
// Removed APIs (PodSecurityPolicy, extensions/Ingress) are left out: a policy that
// names them could never match.
constexpr std::array kKinds = std::to_array<KindInfo>({
    // core
    {"", "Binding", "bindings", kNamespaced, kNoStatus, kNoScale},
    {"", "ComponentStatus", "componentstatuses", kCluster, kNoStatus, kNoScale},
    {"", "ConfigMap", "configmaps", kNamespaced, kNoStatus, kNoScale},
    {"", "Endpoints", "endpoints", kNamespaced, kNoStatus, kNoScale},
    {"", "Event", "events", kNamespaced, kNoStatus, kNoScale},
    {"", "LimitRange", "limitranges", kNamespaced, kNoStatus, kNoScale},
    {"", "Namespace", "namespaces", kCluster, kStatus, kNoScale},
    {"", "Node", "nodes", kCluster, kStatus, kNoScale},
    {"", "PersistentVolume", "persistentvolumes", kCluster, kStatus, kNoScale},
    {"", "PersistentVolumeClaim", "persistentvolumeclaims", kNamespaced, kStatus, kNoScale},
    {"", "Pod", "pods", kNamespaced, kStatus, kNoScale},
    {"", "PodTemplate", "podtemplates", kNamespaced, kNoStatus, kNoScale},
    {"", "ReplicationController", "replicationcontrollers", kNamespaced, kStatus, kScale},
    {"", "ResourceQuota", "resourcequotas", kNamespaced, kStatus, kNoScale},
    {"", "Secret", "secrets", kNamespaced, kNoStatus, kNoScale},
    {"", "Service", "services", kNamespaced, kStatus, kNoScale},
    {"", "ServiceAccount", "serviceaccounts", kNamespaced, kNoStatus, kNoScale},
    // admissionregistration.k8s.io
    {"admissionregistration.k8s.io", "MutatingAdmissionPolicy", "mutatingadmissionpolicies", kCluster, kNoStatus, kNoScale},
    {"admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding", "mutatingadmissionpolicybindings", kCluster, kNoStatus, kNoScale},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", kCluster, kNoStatus, kNoScale},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", kCluster, kStatus, kNoScale},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", kCluster, kNoStatus, kNoScale},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", kCluster, kNoStatus, kNoScale},
    // apiextensions.k8s.io, apiregistration.k8s.io
    {"apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", kCluster, kStatus, kNoScale},
    {"apiregistration.k8s.io", "APIService", "apiservices", kCluster, kStatus, kNoScale},
    // apps
    {"apps", "ControllerRevision", "controllerrevisions", kNamespaced, kNoStatus, kNoScale},
    {"apps", "DaemonSet", "daemonsets", kNamespaced, kStatus, kNoScale},
    {"apps", "Deployment", "deployments", kNamespaced, kStatus, kScale},
    {"apps", "ReplicaSet", "replicasets", kNamespaced, kStatus, kScale},
    {"apps", "StatefulSet", "statefulsets", kNamespaced, kStatus, kScale},
    // authentication.k8s.io, authorization.k8s.io (TokenRequest: core serviceaccounts/token,
    // what `kubectl create token` and kubelets send)
    {"authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", kCluster, kNoStatus, kNoScale},
    {"authentication.k8s.io", "TokenRequest", "serviceaccounts/token", kNamespaced, kNoStatus, kNoScale, kCoreGroup},
    {"authentication.k8s.io", "TokenReview", "tokenreviews", kCluster, kNoStatus, kNoScale},
    {"authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", kNamespaced, kNoStatus, kNoScale},
    {"authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", kCluster, kNoStatus, kNoScale},
    {"authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", kCluster, kNoStatus, kNoScale},
    {"authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", kCluster, kNoStatus, kNoScale},
    // autoscaling (Scale: what a /scale request carries, whatever the parent's group)
    {"autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", kNamespaced, kStatus, kNoScale},
    {"autoscaling", "Scale", "*/scale", kNamespaced, kNoStatus, kNoScale, kEveryGroup},
    // batch
    {"batch", "CronJob", "cronjobs", kNamespaced, kStatus, kNoScale},
    {"batch", "Job", "jobs", kNamespaced, kStatus, kNoScale},
    // certificates.k8s.io, coordination.k8s.io, discovery.k8s.io, events.k8s.io
    {"certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", kCluster, kStatus, kNoScale},
    {"certificates.k8s.io", "ClusterTrustBundle", "clustertrustbundles", kCluster, kNoStatus, kNoScale},
    {"coordination.k8s.io", "Lease", "leases", kNamespaced, kNoStatus, kNoScale},
    {"coordination.k8s.io", "LeaseCandidate", "leasecandidates", kNamespaced, kNoStatus, kNoScale},
    {"discovery.k8s.io", "EndpointSlice", "endpointslices", kNamespaced, kNoStatus, kNoScale},
    {"events.k8s.io", "Event", "events", kNamespaced, kNoStatus, kNoScale},
    // flowcontrol.apiserver.k8s.io, internal.apiserver.k8s.io
    {"flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", kCluster, kStatus, kNoScale},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", "prioritylevelconfigurations", kCluster, kStatus, kNoScale},
    {"internal.apiserver.k8s.io", "StorageVersion", "storageversions", kCluster, kStatus, kNoScale},
    // networking.k8s.io, node.k8s.io
    {"networking.k8s.io", "IPAddress", "ipaddresses", kCluster, kNoStatus, kNoScale},
    {"networking.k8s.io", "Ingress", "ingresses", kNamespaced, kStatus, kNoScale},
    {"networking.k8s.io", "IngressClass", "ingressclasses", kCluster, kNoStatus, kNoScale},
    {"networking.k8s.io", "NetworkPolicy", "networkpolicies", kNamespaced, kNoStatus, kNoScale},
    {"networking.k8s.io", "ServiceCIDR", "servicecidrs", kCluster, kStatus, kNoScale},
    {"node.k8s.io", "RuntimeClass", "runtimeclasses", kCluster, kNoStatus, kNoScale},
    // policy (Eviction: core pods/eviction, what `kubectl drain` sends)
    {"policy", "Eviction", "pods/eviction", kNamespaced, kNoStatus, kNoScale, kCoreGroup},
    {"policy", "PodDisruptionBudget", "poddisruptionbudgets", kNamespaced, kStatus, kNoScale},
    // rbac.authorization.k8s.io
    {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", kCluster, kNoStatus, kNoScale},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", kCluster, kNoStatus, kNoScale},
    {"rbac.authorization.k8s.io", "Role", "roles", kNamespaced, kNoStatus, kNoScale},
    {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings", kNamespaced, kNoStatus, kNoScale},
    // resource.k8s.io (dynamic resource allocation), scheduling.k8s.io
    {"resource.k8s.io", "DeviceClass", "deviceclasses", kCluster, kNoStatus, kNoScale},
    {"resource.k8s.io", "ResourceClaim", "resourceclaims", kNamespaced, kStatus, kNoScale},
    {"resource.k8s.io", "ResourceClaimTemplate", "resourceclaimtemplates", kNamespaced, kNoStatus, kNoScale},
    {"resource.k8s.io", "ResourceSlice", "resourceslices", kCluster, kNoStatus, kNoScale},
    {"scheduling.k8s.io", "PriorityClass", "priorityclasses", kCluster, kNoStatus, kNoScale},
    // storage.k8s.io, storagemigration.k8s.io
    {"storage.k8s.io", "CSIDriver", "csidrivers", kCluster, kNoStatus, kNoScale},
    {"storage.k8s.io", "CSINode", "csinodes", kCluster, kNoStatus, kNoScale},
    {"storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities", kNamespaced, kNoStatus, kNoScale},
    {"storage.k8s.io", "StorageClass", "storageclasses", kCluster, kNoStatus, kNoScale},
    {"storage.k8s.io", "VolumeAttachment", "volumeattachments", kCluster, kStatus, kNoScale},
    {"storage.k8s.io", "VolumeAttributesClass", "volumeattributesclasses", kCluster, kNoStatus, kNoScale},
    {"storagemigration.k8s.io", "StorageVersionMigration", "storageversionmigrations", kCluster, kStatus, kNoScale},
    // Flux
    {"source.toolkit.fluxcd.io", "Bucket", "buckets", kNamespaced, kStatus, kNoScale},
    {"source.toolkit.fluxcd.io", "GitRepository", "gitrepositories", kNamespaced, kStatus, kNoScale},
    {"source.toolkit.fluxcd.io", "HelmChart", "helmcharts", kNamespaced, kStatus, kNoScale},
    {"source.toolkit.fluxcd.io", "HelmRepository", "helmrepositories", kNamespaced, kStatus, kNoScale},
    {"source.toolkit.fluxcd.io", "OCIRepository", "ocirepositories", kNamespaced, kStatus, kNoScale},
    {"kustomize.toolkit.fluxcd.io", "Kustomization", "kustomizations", kNamespaced, kStatus, kNoScale},
    {"helm.toolkit.fluxcd.io", "HelmRelease", "helmreleases", kNamespaced, kStatus, kNoScale},
    {"notification.toolkit.fluxcd.io", "Alert", "alerts", kNamespaced, kStatus, kNoScale},
    {"notification.toolkit.fluxcd.io", "Provider", "providers", kNamespaced, kStatus, kNoScale},
    {"notification.toolkit.fluxcd.io", "Receiver", "receivers", kNamespaced, kStatus, kNoScale},
    {"image.toolkit.fluxcd.io", "ImagePolicy", "imagepolicies", kNamespaced, kStatus, kNoScale},
    {"image.toolkit.fluxcd.io", "ImageRepository", "imagerepositories", kNamespaced, kStatus, kNoScale},
    {"image.toolkit.fluxcd.io", "ImageUpdateAutomation", "imageupdateautomations", kNamespaced, kStatus, kNoScale},
    // Argo CD (only ApplicationSet's CRD has a status subresource)
    {"argoproj.io", "Application", "applications", kNamespaced, kNoStatus, kNoScale},
    {"argoproj.io", "ApplicationSet", "applicationsets", kNamespaced, kStatus, kNoScale},
    {"argoproj.io", "AppProject", "appprojects", kNamespaced, kNoStatus, kNoScale},
});

const std::vector<std::string_view>& groups() {
  static const std::vector<std::string_view> out = [] {
    std::vector<std::string_view> g;
    for (const KindInfo& k : kKinds)
      if (std::find(g.begin(), g.end(), k.group) == g.end()) g.push_back(k.group);
    return g;
  }();
  return out;
}

}  // namespace

std::span<const KindInfo> all_kinds() { return kKinds; }

const KindInfo* find(std::string_view group, std::string_view kind) {
  for (const KindInfo& k : kKinds)
    if (k.group == group && k.kind == kind) return &k;
  return nullptr;
}

std::vector<const KindInfo*> find_kind(std::string_view kind) {
  std::vector<const KindInfo*> out;
  for (const KindInfo& k : kKinds)
    if (k.kind == kind) out.push_back(&k);
  return out;
}

bool is_known_group(std::string_view group) {
  const auto& g = groups();
  return std::find(g.begin(), g.end(), group) != g.end();
}

std::span<const std::string_view> known_groups() { return groups(); }

std::string guess_resource(std::string_view kind) {
  std::string singular;
  for (char c : kind) singular.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (singular.empty() || singular.ends_with("endpoints")) return singular;
  if (singular.back() == 's') return singular + "es";
  if (singular.back() == 'y') return singular.substr(0, singular.size() - 1) + "ies";
  return singular + "s";
}

std::pair<std::string_view, std::string_view> split_api_version(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

}  // namespace driftgate::kube_kinds
