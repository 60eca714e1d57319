#pragma once
// Forensics: which fields of a GitOps-managed object someone other than its GitOps
// tool owns, who (the field manager), how (operation, subresource) and since when,
// read from the stored object's metadata.managedFields alone (docs/scan.md).
//
// An object is looked at when it carries a GitOps owner's markers (engine::
// find_gitops_owner, the gitops-ownership policy's owner detection) and a policy of
// the set guards it: a policy whose `match` holds for an UPDATE of it and that has a
// `frozen` rule. Runtime state is what that rule ignores (`frozen.ignore`, kinds-scoped
// entries included, and the server-set fields every frozen rule ignores), so the
// policy set, not this code, says what is drift.
#include <optional>
#include <string>
#include <vector>

#include "engine/owner.h"
#include "json/value.h"
#include "policy/policy.h"
#include "scan/managed_fields.h"
#include "util/result.h"
#include "util/time.h"

namespace driftgate::scan {

// Which field managers write for whom. Manager names are chosen by the client
// (kubectl --field-manager, the User-Agent's first word for an Update without one):
// anyone with write access can write as "kustomize-controller". They tell which tool
// wrote a field, never who; the API server's audit log has the identity.
struct ManagerConfig {
  // The writers of each GitOps tool: a field they own on an object of theirs is Git's.
  std::vector<std::string> flux_kustomization{"kustomize-controller"};
  std::vector<std::string> flux_helm_release{"helm-controller"};
  std::vector<std::string> argo_cd{"argocd-controller"};
  std::vector<std::string> helm{"helm"};
  // Cluster components whose writes are runtime state on any object. The controllers
  // of kube-controller-manager (HPA, deployment, replicaset, GC…) all write as
  // "kube-controller-manager": the manager is the User-Agent up to its first '/', and
  // their own names come after it.
  std::vector<std::string> runtime_writers{"kube-controller-manager", "kube-scheduler", "kubelet"};

  const std::vector<std::string>& gitops_writers(engine::GitOpsTool tool) const;
};

struct ForensicsOptions {
  ManagerConfig managers;
  DecodeLimits limits;
};

// One field of a GitOps-managed object owned by someone else.
struct Finding {
  // The object.
  std::string api_version, kind, namespace_, name, uid;
  std::string owner;  // "Flux Kustomization flux-system/apps"
  // The field: driftgate's path syntax, keyed list entries as their index in the
  // object (FieldPath::str()); path_resolved is false when an entry was not found
  // in the object and `path` holds its selector instead.
  std::string path;
  bool path_resolved = true;
  // Who and when, as managedFields records it.
  std::string manager, operation, subresource;
  std::optional<TimePoint> time;  // kubectl scale records none
  // The guard that does not ignore the field.
  std::string policy, rule;

  // "ConfigMap users/users-api-env (Flux Kustomization flux-system/apps): data.DB_HOST
  // set by kubectl-edit at 2026-05-03T02:14:00Z"; "... spec.replicas set by kubectl
  // through /scale, no time recorded".
  std::string str() const;
};

struct ObjectForensics {
  std::string object;           // "ConfigMap users/users-api-env"
  engine::GitOpsOwner owner;    // tool None: no GitOps markers, nothing looked at
  std::vector<std::string> guards;  // "gitops-ownership/no-manual-edits"; empty: not guarded
  bool has_managed_fields = false;  // false: listed without them (nothing to read)
  std::vector<Finding> findings;
};

// The forensics of one stored object (a full object, or metadata only: then keyed
// list entries stay unresolved). An error when its managedFields are malformed,
// naming the object and the manager.
Result<ObjectForensics> forensics(const json::Value& object, const policy::PolicySet& policies,
                                  const ForensicsOptions& options = {});

}  // namespace driftgate::scan
