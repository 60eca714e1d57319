#pragma once
// Which resources an API server serves: /api, /api/v1, /apis, and each
// group's preferred version, as `kubectl api-resources` reads them.
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "util/result.h"

namespace driftgate::kube {

class Client;

struct ApiResource {
  std::string group;    // "" for the core group
  std::string version;  // the group version that serves it (the preferred one)
  std::string kind;     // ConfigMap; Scale for deployments/scale
  std::string name;     // the plural, "configmaps"; "deployments/scale" for a subresource
  bool namespaced = false;
  std::vector<std::string> verbs;
  bool subresource = false;  // name holds a '/'
  // A subresource's object may be of another group (deployments/scale is autoscaling/v1 Scale).
  std::string kind_group, kind_version;

  std::string group_version() const { return group.empty() ? version : group + "/" + version; }
  bool has_verb(std::string_view verb) const;
  // Not a subresource, and it can be listed.
  bool listable() const { return !subresource && has_verb("list"); }
};

struct Discovery {
  std::vector<ApiResource> resources;  // in the server's order: core first, then each group
  // Group versions that could not be read, one line each
  // (`metrics.k8s.io/v1beta1: 503: the server is currently unable to handle the request`):
  // an aggregated API being down must not hide the rest, as in kubectl.
  std::vector<std::string> failures;

  std::vector<ApiResource> listable() const;
  // The resource of a group and plural, or nullptr.
  const ApiResource* find(std::string_view group, std::string_view name) const;
};

Result<Discovery> discover(Client& client);

// The pieces, for tests: an APIResourceList (/api/v1, /apis/<g>/<v>) and an
// APIGroupList's preferred versions (/apis).
Result<std::vector<ApiResource>> parse_resource_list(const json::Value& list, std::string_view group,
                                                     std::string_view version);
struct PreferredVersion {
  std::string group, version;
};
Result<std::vector<PreferredVersion>> parse_group_list(const json::Value& list);

}  // namespace driftgate::kube
