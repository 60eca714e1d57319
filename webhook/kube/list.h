#pragma once
// Paginated LIST: one page at a time (`limit` / `continue`), so memory is
// bounded by a page, not by the cluster. Full objects, or only their metadata
// (PartialObjectMetadataList) when that is all the caller reads.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "json/value.h"
#include "kube/discovery.h"
#include "util/result.h"

namespace driftgate::kube {

class Client;

// Asks for items with only `metadata` (name, namespace, uid, resourceVersion,
// labels, annotations, managedFields, ...); falls back to full objects where
// a server cannot (some aggregated APIs).
inline constexpr std::string_view kAcceptPartialObjectMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

struct ListOptions {
  std::string namespace_;      // empty: every namespace (and always for a cluster-scoped resource)
  std::size_t limit = 500;     // objects per page; 0 asks for everything in one answer
  bool metadata_only = false;  // PartialObjectMetadataList
  std::string label_selector;
  std::string field_selector;
};

struct Page {
  json::Document document;  // the List (or PartialObjectMetadataList) as the server sent it
  std::string resource_version;  // the list's metadata.resourceVersion
  std::string continue_token;    // empty on the last page
  std::optional<std::int64_t> remaining_item_count;
  std::size_t index = 0;  // 0 for the first page; counts on across a restart
  // The first page after an expired continue token (410): the listing began
  // again, so objects of the earlier pages come again.
  bool restarted = false;

  std::span<const json::Value> items() const;
};

// /api/v1/namespaces/apps/configmaps, /apis/apps/v1/deployments, ...
std::string collection_path(const ApiResource& resource, std::string_view namespace_ = {});

// A pull-style iterator over the pages of one resource's LIST.
class Pager {
 public:
  Pager(Client& client, ApiResource resource, ListOptions options = {});

  // The next page; nullopt once the list is complete. After an Error the pager is done.
  Result<std::optional<Page>> next();

  // A continue token expired (410 Gone, reason Expired) and the listing began
  // again from its first page: done at most once, then a 410 is an error.
  int restarts() const { return restarts_; }
  // One line per restart, for the caller's report.
  const std::vector<std::string>& notes() const { return notes_; }
  const ApiResource& resource() const { return resource_; }

 private:
  std::string target() const;

  Client& client_;
  ApiResource resource_;
  ListOptions options_;
  std::string continue_;
  std::size_t pages_ = 0;
  bool done_ = false;
  bool restarted_ = false;  // the next page is the first after a restart
  int restarts_ = 0;
  std::vector<std::string> notes_;
};

struct ListSummary {
  std::size_t pages = 0;
  std::size_t items = 0;  // items delivered, repeats after a restart included
  int restarts = 0;
  std::vector<std::string> notes;
  std::string resource_version;  // of the last page
};

// Drives a Pager: calls `on_page` for every page until the list ends or it returns false.
Result<ListSummary> list_pages(Client& client, const ApiResource& resource, const ListOptions& options,
                               const std::function<bool(const Page&)>& on_page);

}  // namespace driftgate::kube
