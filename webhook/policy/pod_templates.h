#pragma once
// `match.podTemplates: true` (auto-gen): a Pod rule also judges the Pod template of
// every workload that creates Pods. The table says where each keeps it.
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace driftgate::policy {

struct PodTemplateKind {
  std::string_view group;  // "" for the core group
  std::string_view kind;
  std::string_view pattern;  // as written in kinds:
  std::array<std::string_view, 4> keys;  // where the template is (the first `depth`)
  std::size_t depth;
  std::span<const std::string_view> at() const { return {keys.data(), depth}; }
};

inline constexpr PodTemplateKind kPodTemplateKinds[] = {
    {"apps", "Deployment", "apps/Deployment", {"spec", "template"}, 2},
    {"apps", "StatefulSet", "apps/StatefulSet", {"spec", "template"}, 2},
    {"apps", "DaemonSet", "apps/DaemonSet", {"spec", "template"}, 2},
    {"apps", "ReplicaSet", "apps/ReplicaSet", {"spec", "template"}, 2},
    {"", "ReplicationController", "core/ReplicationController", {"spec", "template"}, 2},
    {"batch", "Job", "batch/Job", {"spec", "template"}, 2},
    {"batch", "CronJob", "batch/CronJob", {"spec", "jobTemplate", "spec", "template"}, 4},
};

inline const PodTemplateKind* find_pod_template_kind(std::string_view group, std::string_view kind) {
  for (const PodTemplateKind& k : kPodTemplateKinds)
    if (k.kind == kind && k.group == group) return &k;
  return nullptr;
}

}  // namespace driftgate::policy
