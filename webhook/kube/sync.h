#pragma once
// Keeping a set of objects that driftgate owns in step with what it computed:
// each one created (POST) or replaced (PUT with the resourceVersion read), and
// the ones it owns but no longer computed deleted. What driftgate owns is what
// carries its label (`label_selector`). Used for PolicyReports (docs/scan.md).
//
// PUT, not server-side apply: a report is driftgate's whole (no other writer owns
// a field of it), so replacing it is the meaning wanted, and a PUT carrying the
// resourceVersion never overwrites a write made since the LIST unseen: a 409
// Conflict re-reads the object and replaces it again.
#include <cstddef>
#include <string>
#include <vector>

#include "kube/client.h"
#include "util/result.h"

namespace driftgate::kube {

struct SyncTarget {
  std::string group_version_path;  // "/apis/wgpolicyk8s.io/v1alpha2"
  std::string resource;            // "policyreports"
  bool namespaced = true;
  std::string label_selector;      // "app.kubernetes.io/managed-by=driftgate"
  std::string only_namespace;      // list and delete only there ("" every namespace)
  bool delete_stale = true;        // false: leave owned objects not in `objects` alone
};

struct SyncObject {
  std::string namespace_;  // "" when cluster-scoped
  std::string name;
  std::string json;        // the whole object, without metadata.resourceVersion
};

struct SyncResult {
  std::size_t created = 0, updated = 0, deleted = 0, conflicts = 0;
  // Objects whose namespace was deleted since they were computed (a create
  // answered 404): nothing to write there, and the others are still written.
  std::size_t skipped = 0;
};

// Stops at the first request that fails, naming it and the server's message.
Result<SyncResult> sync_objects(Client& client, const SyncTarget& target, const std::vector<SyncObject>& objects);

// `json` (an object) with metadata.resourceVersion set to `resource_version`.
std::string with_resource_version(std::string_view json, std::string_view resource_version);

}  // namespace driftgate::kube
