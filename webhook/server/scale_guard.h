#pragma once
// The /scale guard's parent lookup for `serve` (docs/subresources.md): discovers
// which resources have a scale subresource (the built-in ones and CRDs with
// subresources.scale), keeps the metadata of those the policies cover in a
// LIST+WATCH cache (kube/metadata_cache.h), and answers admission's
// ParentLookup from it; a miss (an object newer than the cache) is one GET,
// bounded by --lookup-timeout. Discovery is retried in the background until it
// succeeds, so an API server that is down at start delays readiness, not start.
// No Beast, no OpenSSL here: the kube client keeps them in its .cc files.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "admission/scale_parent.h"
#include "json/writer.h"
#include "kube/config.h"
#include "kube/metadata_cache.h"
#include "policy/policy.h"

namespace driftgate::server {

struct ScaleGuardOptions {
  // A lookup's whole budget: waiting for a GET in progress, connecting and the answer.
  std::chrono::milliseconds lookup_timeout{2'000};
  std::chrono::milliseconds discovery_retry{5'000};
  kube::MetadataCacheOptions cache;  // resources are filled in from discovery
};

struct ScaleGuardStats {
  std::uint64_t objects = 0, watch_restarts = 0, relists = 0, watch_errors = 0;
  std::uint64_t cache_hits = 0, gets = 0, failures = 0;
  std::size_t resources = 0;  // resources watched
  bool synced = false;
};

class ScaleGuard final : public admission::ParentLookup {
 public:
  // Starts discovery (then the caches) on a thread of its own; returns at once.
  // `policies`: the set loaded at start (null: none yet), which decides which
  // scalable resources are watched (all of them when null).
  static std::unique_ptr<ScaleGuard> start(kube::Config config, std::shared_ptr<const policy::PolicySet> policies,
                                           ScaleGuardOptions options);
  ~ScaleGuard() override;  // stops the caches and the discovery thread
  ScaleGuard(const ScaleGuard&) = delete;
  ScaleGuard& operator=(const ScaleGuard&) = delete;

  Result<std::optional<admission::ParentObject>> find(const admission::ParentRef& ref,
                                                      json::Arena& arena) const override;

  // Every watched resource has listed once.
  bool synced() const;
  // {"state":"synced"|"syncing"|"discovering","cluster":...,"resources":[...]}: the
  // scaleGuard member of /readyz?verbose, written as the next value of `w`.
  void write_status(json::Writer& w) const;
  std::string status_json() const;
  ScaleGuardStats stats() const;

 private:
  struct Running;
  ScaleGuard(kube::Config config, std::shared_ptr<const policy::PolicySet> policies, ScaleGuardOptions options);
  void discover_and_start();
  std::shared_ptr<const Running> running() const;

  kube::Config config_;
  std::shared_ptr<const policy::PolicySet> policies_;
  ScaleGuardOptions options_;

  mutable std::mutex mutex_;  // running_, discovery_error_, stop
  std::shared_ptr<const Running> running_;
  std::string discovery_error_;
  bool stopping_ = false;
  std::condition_variable stop_cv_;
  std::thread discovery_;

  // One GET at a time (the cache's own rule), the turn waited for within the budget.
  // Not a std::timed_mutex: TSan does not see its timed lock (pthread_mutex_clocklock).
  mutable std::mutex get_turn_mutex_;
  mutable std::condition_variable get_turn_cv_;
  mutable bool get_busy_ = false;
  mutable std::atomic<std::uint64_t> hits_{0}, gets_{0}, failures_{0};
};

}  // namespace driftgate::server
