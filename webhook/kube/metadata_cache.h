#pragma once
// A reflector for metadata: for each resource it LISTs (PartialObjectMetadataList,
// paginated), then WATCHes from the list's resourceVersion (PartialObjectMetadata
// events, bookmarks), and keeps, per namespace/name, only what a guard reads:
// name, namespace, uid, resourceVersion, labels, annotations, ownerReferences.
// A watch the server ends is resumed from the last resourceVersion seen; an
// ERROR 410 (the resourceVersion is older than etcd's history) relists; errors
// back off exponentially with jitter. One thread per resource, each with its
// own Client; lookups never call the API and take a shared lock.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/discovery.h"
#include "util/result.h"

namespace driftgate::kube {

// One object's metadata, immutable once built, shared by the cache and its
// readers. Every string lives in one buffer; the accessors are views into it,
// valid as long as the ObjectMeta.
class ObjectMeta {
 public:
  struct OwnerReference {
    std::string_view api_version, kind, name, uid;
    bool controller = false;
  };

  // From an object's (or a PartialObjectMetadata's) `metadata`, without the
  // annotations named in `drop_annotations`.
  static std::shared_ptr<const ObjectMeta> from_metadata(const json::Value& metadata,
                                                         std::span<const std::string> drop_annotations = {});

  std::string_view namespace_() const { return at(kNamespace); }
  std::string_view name() const { return at(kName); }
  std::string_view uid() const { return at(kUid); }
  std::string_view resource_version() const { return at(kResourceVersion); }

  std::size_t label_count() const { return labels_; }
  std::pair<std::string_view, std::string_view> label(std::size_t i) const;
  std::optional<std::string_view> label(std::string_view key) const;
  std::size_t annotation_count() const { return annotations_; }
  std::pair<std::string_view, std::string_view> annotation(std::size_t i) const;
  std::optional<std::string_view> annotation(std::string_view key) const;
  std::size_t owner_count() const { return owners_; }
  OwnerReference owner(std::size_t i) const;

  // Heap bytes held (for the memory figure).
  std::size_t bytes() const;

 private:
  struct Span {
    std::uint32_t offset, size;
  };
  enum : std::size_t { kNamespace, kName, kUid, kResourceVersion, kFixed };
  std::string_view at(std::size_t i) const { return {text_.data() + spans_[i].offset, spans_[i].size}; }
  std::size_t label_at(std::size_t i) const { return kFixed + 2 * i; }
  std::size_t annotation_at(std::size_t i) const { return kFixed + 2 * labels_ + 2 * i; }
  std::size_t owner_at(std::size_t i) const { return kFixed + 2 * labels_ + 2 * annotations_ + 4 * i; }

  std::string text_;         // every string, back to back
  std::vector<Span> spans_;  // fixed fields, label pairs, annotation pairs, owner quads
  std::uint32_t labels_ = 0, annotations_ = 0;
  std::uint16_t owners_ = 0;
  std::uint16_t controller_mask_ = 0;  // bit i: owner i is the controller
};

struct MetadataCacheOptions {
  std::vector<ApiResource> resources;  // each listed and watched cluster-wide
  ClientOptions client;                // for each resource's LIST/WATCH client
  std::size_t page_size = 500;
  std::chrono::seconds watch_timeout{300};  // timeoutSeconds, jittered up to twice
  // Backoff after an error: from `backoff_initial`, doubling to `backoff_max`,
  // each wait a random value in [d, 2d) capped at backoff_max (client-go: 800 ms .. 30 s).
  std::chrono::milliseconds backoff_initial{800};
  std::chrono::milliseconds backoff_max{30'000};
  // Annotations not kept: kubectl apply's copy of the whole manifest is most of
  // a kubectl-applied object's metadata, and no guard reads it.
  std::vector<std::string> drop_annotations = {"kubectl.kubernetes.io/last-applied-configuration"};
  // get(): a miss falls back to one GET with this limit (connect and answer).
  std::chrono::milliseconds get_timeout{2'000};
};

struct CacheStats {
  std::uint64_t objects = 0;        // cached now, every resource
  std::uint64_t lists = 0;          // complete LISTs, the first ones included
  std::uint64_t relists = 0;        // LISTs after the first (410 Gone, or a failed watch)
  std::uint64_t watch_restarts = 0; // watches opened after the first of a LIST (resumed)
  std::uint64_t events = 0;         // watch events applied (bookmarks included)
  std::uint64_t errors = 0;         // failed LISTs and watches
  bool synced = false;              // every resource has listed once
};

struct ResourceStatus {
  std::string resource;  // deployments.apps
  bool synced = false;
  std::uint64_t objects = 0;
  std::string resource_version;  // the last one seen
  std::string last_error;
};

class MetadataCache {
 public:
  // Starts one thread per resource; returns at once (see wait_for_sync).
  static Result<std::unique_ptr<MetadataCache>> start(Config config, MetadataCacheOptions options);
  ~MetadataCache();  // stop()
  MetadataCache(const MetadataCache&) = delete;
  MetadataCache& operator=(const MetadataCache&) = delete;

  // The cached metadata of group/resource namespace/name (namespace "" for a
  // cluster-scoped object), or nullptr: no API call, a shared lock, no allocation.
  std::shared_ptr<const ObjectMeta> lookup(std::string_view group, std::string_view resource,
                                           std::string_view namespace_, std::string_view name) const;
  // A miss's fallback: one GET of the object's metadata (get_timeout). nullptr
  // when the server answers 404. Not put into the cache: the watch brings it.
  // Serialized: one GET at a time.
  Result<std::shared_ptr<const ObjectMeta>> get(std::string_view group, std::string_view resource,
                                                std::string_view namespace_, std::string_view name);

  // Every resource has completed one LIST (stays true across relists).
  bool has_synced() const;
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  CacheStats stats() const;
  std::vector<ResourceStatus> status() const;
  // Ends every watch and joins the threads; bounded by a LIST request in progress.
  void stop();

  struct Impl;

 private:
  explicit MetadataCache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace driftgate::kube
