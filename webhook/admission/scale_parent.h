#pragma once
// A `/scale` write judged by its parent (issue 12, docs/subresources.md).
//
// `kubectl scale` and the HPA write `<resource>/scale`: the review carries an
// `autoscaling/v1 Scale` with a name, a namespace and spec.replicas, no labels and
// no annotations, so no policy could tell that Flux or Argo CD owns the
// Deployment. driftgate looks the parent up (group/version/resource from the
// request, namespace, name) and evaluates the policies as if the parent's
// spec.replicas were being changed: an UPDATE of the parent's kind whose object
// and oldObject are the parent's metadata with the new and the old replicas.
// Matching (objectSelector, owner, opt-outs), `frozen` (the changed path is
// spec.replicas), break-glass (the window on the parent) and messages
// (`{{kind}}` is the parent's kind) all follow.
//
// The lookup is an interface so that the engine side needs no network: the
// server passes its watch cache (server/parent_cache.h), `driftgate eval
// --parents` and the tests pass objects they hold (StaticParents).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/decision.h"
#include "engine/engine.h"
#include "engine/request.h"
#include "json/value.h"
#include "policy/policy.h"
#include "util/result.h"
#include "util/time.h"

namespace driftgate::admission {

// The object a subresource request writes: request.resource, namespace, name.
struct ParentRef {
  std::string_view group;     // "" for the core group
  std::string_view version;   // v1
  std::string_view resource;  // deployments
  std::string_view namespace_, name;
  // The parent's uid as the request saw it (the Scale's metadata.uid), "" if
  // absent: a cached entry of another uid is an object since deleted and
  // recreated under the same name, not this parent.
  std::string_view uid;
  // The parent's resourceVersion as the request saw it (the Scale's), "" if absent:
  // a cached entry of another resourceVersion is behind (or the object changed
  // unseen by the watch, e.g. Flux adopted it and added its labels), not this parent.
  std::string_view resource_version;

  // "deployments.apps users/users-api", for messages.
  std::string describe() const;
};

// What a lookup found: the parent's kind and its metadata (name, namespace, uid,
// labels, annotations, ownerReferences: what a guard reads). The metadata's
// nodes live in the arena given to find(), its strings there or in `storage`.
struct ParentObject {
  std::string_view api_version;  // apps/v1
  std::string_view kind;         // Deployment
  json::Value metadata;
  std::shared_ptr<const void> storage;  // keeps the strings alive (a cache entry)
};

class ParentLookup {
 public:
  virtual ~ParentLookup() = default;
  // nullopt: there is no such object (the API server will answer the write with
  // 404 itself). An Error: it could not be looked up; the message says why.
  // Called from many threads at once.
  virtual Result<std::optional<ParentObject>> find(const ParentRef& ref, json::Arena& arena) const = 0;
};

// --lookup-failure: what a scale whose parent cannot be looked up gets.
enum class LookupFailure { Deny, Allow };

struct Subresources {
  // nullptr: no guard; a /scale write is judged as it comes (a Scale object,
  // which no ownership policy matches). Set: judged by its parent.
  const ParentLookup* parents = nullptr;
  LookupFailure on_failure = LookupFailure::Deny;
};

// Whether handle() judges this request by its parent: a validating UPDATE of
// subresource `scale` while a lookup is configured.
inline bool judged_by_parent(const engine::Request& request, engine::Endpoint endpoint, const Subresources& s) {
  return s.parents && endpoint == engine::Endpoint::Validate && request.operation == policy::kUpdate &&
         request.sub_resource == "scale";
}

// Whether a policy can judge a /scale write: it validates UPDATEs and some rule
// may care about spec.replicas changing (`frozen`, or a rule that reads it). Other
// policies would see the parent unchanged but for spec.replicas: nothing to judge,
// so their scales are neither registered (webhook-config) nor looked up. So the
// HPA never waits on the API server for image-pinning or rollback-guard.
bool judges_scale(const policy::Policy& policy);

// The decision on a /scale write: no lookup when no policy of the set (or of
// `webhook_group`) could match the request whatever the parent's labels (the HPA
// and the GitOps controllers are excluded subjects: they never wait on the API
// server); else the parent's UPDATE, or the --lookup-failure decision. `resource`:
// the request's resource group and version (request.resource).
engine::Decision judge_scale(const engine::Request& scale, std::string_view resource_group,
                             std::string_view resource_version, const policy::PolicySet& policies, TimePoint now,
                             std::string_view webhook_group, const Subresources& subresources, json::Arena& arena);

// Parents held in memory: `driftgate eval --parents FILE`, tests. Each object is
// found under its group, its resource (the kind table's, or Kubernetes' guess
// for a custom resource), namespace and name; one not given is a lookup failure
// (a file cannot say that an object does not exist).
class StaticParents : public ParentLookup {
 public:
  // Objects with apiVersion, kind and metadata.name; nodes cloned into this.
  // An Error names the object that lacks one.
  Result<bool> add(const json::Value& object);
  std::size_t size() const { return objects_.size(); }
  Result<std::optional<ParentObject>> find(const ParentRef& ref, json::Arena& arena) const override;

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // group, resource, ns, name
  json::Arena arena_;
  std::map<Key, json::Value> objects_;
};

}  // namespace driftgate::admission
