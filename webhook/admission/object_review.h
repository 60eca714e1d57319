#pragma once
// The one conversion from a Kubernetes object to the AdmissionReview the API
// server would send about it: used by PolicyTest (a case's `request`), by
// `driftgate scan --manifests` (a manifest judged as a CREATE) and by whatever
// else judges stored objects, so that none of them derives kind, resource or
// namespace its own way. The review then goes through admission::handle, the
// server's own path.
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace driftgate::admission {

// What a request takes when it leaves it out.
struct RequestDefaults {
  std::string uid{};                          // request.uid
  std::string username = "policytest-user";   // userInfo.username
  std::vector<std::string> groups{};          // userInfo.groups (none: the field is absent)
};

// A whole AdmissionReview (admission.k8s.io/v1, JSON) from an AdmissionReview
// `request`, with what it leaves out derived from its object (oldObject for
// DELETE) as the API server fills it in: uid, operation (CREATE), kind, resource
// (from the kind table, or Kubernetes' own guess for a custom resource),
// requestKind, requestResource (the kind and resource, given or derived),
// subResource and requestSubResource, namespace (a Namespace's own name for a
// Namespace, as the API server sends it), name, userInfo, dryRun. A kind that only
// exists as a subresource's request names its parent's resource: an Eviction core
// v1 pods + eviction, a TokenRequest core v1 serviceaccounts + token, a Scale apps
// v1 deployments + scale unless the request gives `resource` (a Scale does not say
// whose it is). Members the request gives are passed through.
std::string review_from_request(const json::Value& request, const RequestDefaults& defaults);

// Whether objects of this kind live in a namespace: the kind table's answer, and
// true for a kind outside it (most custom resources are namespaced).
bool is_namespaced(std::string_view api_version, std::string_view kind);

struct ObjectWrite {
  std::string_view operation = "CREATE";  // CREATE, or UPDATE with `old_object`
  const json::Value* old_object = nullptr;
  // The namespace of a namespaced object that names none, as `kubectl apply -n`
  // gives it; a cluster-scoped object's namespace is dropped, as the API server does.
  std::string_view default_namespace = "default";
};

// The review of writing `object` (a manifest, a stored object): the object with
// its namespace settled as the API server settles it before admission, then
// review_from_request. New nodes go into `arena`.
std::string review_for_object(const json::Value& object, const ObjectWrite& write, const RequestDefaults& defaults,
                              json::Arena& arena);

}  // namespace driftgate::admission
