#include "server/scale_guard.h"

#include <algorithm>
#include <condition_variable>

#include "engine/match.h"
#include "kube/client.h"
#include "kube/discovery.h"

namespace driftgate::server {

struct ScaleGuard::Running {
  struct Kind {
    std::string api_version, kind;
  };
  std::map<std::pair<std::string, std::string>, Kind, std::less<>> kinds;  // (group, resource) of every watched one
  std::unique_ptr<kube::MetadataCache> cache;
};

namespace {

// Whether some policy that can judge a scale (admission::judges_scale, the same
// test webhook-config registers /scale by) covers this kind. No set: every kind.
bool covered(const policy::PolicySet* policies, const kube::ApiResource& r) {
  if (!policies) return true;
  const engine::GroupVersionKind kind{r.group, r.version, r.kind};
  for (const policy::Policy& p : policies->policies())
    if (admission::judges_scale(p) && engine::kinds_match(p.match.kinds, kind)) return true;
  return false;
}

// The parents of every `<resource>/scale` the server has, that the policies cover.
std::vector<kube::ApiResource> scalable(const kube::Discovery& discovery, const policy::PolicySet* policies) {
  std::vector<kube::ApiResource> out;
  for (const kube::ApiResource& sub : discovery.resources) {
    if (!sub.subresource || !sub.name.ends_with("/scale")) continue;
    const kube::ApiResource* parent = discovery.find(sub.group, sub.name.substr(0, sub.name.size() - 6));
    if (!parent || !parent->has_verb("list") || !parent->has_verb("watch")) continue;
    if (covered(policies, *parent)) out.push_back(*parent);
  }
  return out;
}

// An ObjectMeta as the JSON metadata the engine reads; the strings stay in `meta`.
json::Value metadata_json(const kube::ObjectMeta& meta, json::Arena& arena) {
  auto pairs = [&](std::size_t count, auto get) {
    auto* members = arena.allocate<json::Member>(count);
    for (std::size_t i = 0; i < count; ++i) {
      auto [key, value] = get(i);
      members[i] = {key, json::Value::string(value)};
    }
    return json::Value::object({members, count});
  };
  auto* owners = arena.allocate<json::Value>(meta.owner_count());
  for (std::size_t i = 0; i < meta.owner_count(); ++i) {
    const auto o = meta.owner(i);
    auto* m = arena.allocate<json::Member>(5);
    m[0] = {"apiVersion", json::Value::string(o.api_version)};
    m[1] = {"kind", json::Value::string(o.kind)};
    m[2] = {"name", json::Value::string(o.name)};
    m[3] = {"uid", json::Value::string(o.uid)};
    m[4] = {"controller", json::Value::boolean(o.controller)};
    owners[i] = json::Value::object({m, 5});
  }
  auto* members = arena.allocate<json::Member>(7);
  std::size_t n = 0;
  members[n++] = {"name", json::Value::string(meta.name())};
  if (!meta.namespace_().empty()) members[n++] = {"namespace", json::Value::string(meta.namespace_())};
  members[n++] = {"uid", json::Value::string(meta.uid())};
  members[n++] = {"resourceVersion", json::Value::string(meta.resource_version())};
  if (meta.label_count()) members[n++] = {"labels", pairs(meta.label_count(), [&](std::size_t i) { return meta.label(i); })};
  if (meta.annotation_count())
    members[n++] = {"annotations", pairs(meta.annotation_count(), [&](std::size_t i) { return meta.annotation(i); })};
  if (meta.owner_count()) members[n++] = {"ownerReferences", json::Value::array({owners, meta.owner_count()})};
  return json::Value::object({members, n});
}

}  // namespace

ScaleGuard::ScaleGuard(kube::Config config, std::shared_ptr<const policy::PolicySet> policies, ScaleGuardOptions options)
    : config_(std::move(config)), policies_(std::move(policies)), options_(std::move(options)) {}

std::unique_ptr<ScaleGuard> ScaleGuard::start(kube::Config config, std::shared_ptr<const policy::PolicySet> policies,
                                              ScaleGuardOptions options) {
  // A third of the budget each: waiting for a GET in progress, connecting, the answer.
  options.cache.get_timeout = std::max(std::chrono::milliseconds(1), options.lookup_timeout / 3);
  std::unique_ptr<ScaleGuard> guard(new ScaleGuard(std::move(config), std::move(policies), std::move(options)));
  guard->discovery_ = std::thread([g = guard.get()] { g->discover_and_start(); });
  return guard;
}

ScaleGuard::~ScaleGuard() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (discovery_.joinable()) discovery_.join();
  std::shared_ptr<const Running> running;
  {
    std::lock_guard lock(mutex_);
    running = std::move(running_);
  }
  if (running) running->cache->stop();
}

namespace {

// The discovery failures of the groups that serve the built-in scalable kinds (core
// v1: replicationcontrollers; apps/v1: deployments, statefulsets, replicasets), "; "
// joined. Other groups may fail (an aggregated API such as metrics.k8s.io being down
// must not stop the guard); a custom resource of a failed group is then a lookup
// failure naming it.
std::string failed_builtin_groups(const kube::Discovery& discovery) {
  std::string out;
  for (const std::string& failure : discovery.failures)
    if (failure.starts_with("v1:") || failure.starts_with("apps/v1:")) out.append(out.empty() ? "" : "; ").append(failure);
  return out;
}

}  // namespace

void ScaleGuard::discover_and_start() {
  // Discovery is a handful of small GETs: short timeouts keep a blackholed API
  // server from holding serve's shutdown (which joins this thread) for a minute.
  kube::ClientOptions discovery_options = options_.cache.client;
  discovery_options.connect_timeout = std::min(discovery_options.connect_timeout, std::chrono::milliseconds(5'000));
  discovery_options.request_timeout = std::min(discovery_options.request_timeout, std::chrono::milliseconds(10'000));
  discovery_options.max_retries = 0;
  for (;;) {
    auto client = kube::Client::create(config_, discovery_options);
    std::string error;
    if (!client) {
      error = client.error();
    } else if (auto discovery = kube::discover(*client); !discovery) {
      error = "discovery: " + discovery.error();
    } else if (std::string failed = failed_builtin_groups(*discovery); !failed.empty()) {
      // Without them the guard would never watch Deployments and the rest: every
      // person's scale denied until a restart. Try again instead (not ready meanwhile).
      error = "discovery: " + failed;
    } else {
      auto running = std::make_shared<Running>();
      kube::MetadataCacheOptions cache_options = options_.cache;
      cache_options.resources = scalable(*discovery, policies_.get());
      for (const kube::ApiResource& r : cache_options.resources)
        running->kinds[{r.group, r.name}] = {r.group_version(), r.kind};
      auto cache = kube::MetadataCache::start(config_, std::move(cache_options));
      if (cache) {
        running->cache = std::move(*cache);
        std::lock_guard lock(mutex_);
        if (stopping_) {
          running->cache->stop();
          return;
        }
        running_ = std::move(running);
        discovery_error_.clear();
        return;
      }
      error = cache.error();
    }
    std::unique_lock lock(mutex_);
    discovery_error_ = error;
    if (stop_cv_.wait_for(lock, options_.discovery_retry, [this] { return stopping_; })) return;
  }
}

std::shared_ptr<const ScaleGuard::Running> ScaleGuard::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

Result<std::optional<admission::ParentObject>> ScaleGuard::find(const admission::ParentRef& ref,
                                                                json::Arena& arena) const {
  auto fail = [this](std::string why) -> Result<std::optional<admission::ParentObject>> {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return Error{std::move(why)};
  };
  const auto running = this->running();
  if (!running) {
    std::lock_guard lock(mutex_);
    std::string why = "the scale guard has not reached the API server yet (";
    why.append(discovery_error_.empty() ? std::string("discovery in progress") : discovery_error_).append(")");
    return fail(std::move(why));
  }
  const auto kind = running->kinds.find(std::pair<std::string, std::string>{ref.group, ref.resource});
  if (kind == running->kinds.end())
    return fail(std::string(ref.resource)
                    .append(ref.group.empty() ? "" : ".")
                    .append(ref.group)
                    .append(" is not watched (no policy covered its kind when serve started, or it has no scale "
                            "subresource); restart driftgate to watch it"));
  auto answer = [&](std::shared_ptr<const kube::ObjectMeta> meta) -> std::optional<admission::ParentObject> {
    if (!meta) return std::nullopt;
    admission::ParentObject parent{kind->second.api_version, kind->second.kind, metadata_json(*meta, arena), meta};
    return parent;
  };
  if (auto meta = running->cache->lookup(ref.group, ref.resource, ref.namespace_, ref.name);
      meta && (ref.uid.empty() || meta->uid() == ref.uid) &&
      (ref.resource_version.empty() || meta->resource_version() == ref.resource_version)) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return answer(std::move(meta));
  }
  // A miss: an object newer than the cache's last event (or none), or an entry of
  // another uid (deleted and recreated unseen by the watch) or of another
  // resourceVersion than the request's (changed unseen: labels Flux added when it
  // adopted the object must not be judged by the entry without them). One GET at a
  // time; a lookup that cannot get its turn within a third of the budget fails.
  {
    std::unique_lock turn(get_turn_mutex_);
    if (!get_turn_cv_.wait_for(turn, options_.lookup_timeout / 3, [this] { return !get_busy_; }))
      return fail("not in the cache, and the GETs before this one took the whole --lookup-timeout budget");
    get_busy_ = true;
  }
  struct Release {
    const ScaleGuard* guard;
    ~Release() {
      {
        std::lock_guard turn(guard->get_turn_mutex_);
        guard->get_busy_ = false;
      }
      guard->get_turn_cv_.notify_one();
    }
  } release{this};
  auto got = running->cache->get(ref.group, ref.resource, ref.namespace_, ref.name);
  if (!got) return fail(std::string("not in the cache, and ").append(got.error()));
  gets_.fetch_add(1, std::memory_order_relaxed);
  return answer(std::move(*got));
}

bool ScaleGuard::synced() const {
  const auto running = this->running();
  return running && running->cache->has_synced();
}

ScaleGuardStats ScaleGuard::stats() const {
  ScaleGuardStats out;
  out.cache_hits = hits_.load(std::memory_order_relaxed);
  out.gets = gets_.load(std::memory_order_relaxed);
  out.failures = failures_.load(std::memory_order_relaxed);
  if (const auto running = this->running()) {
    const kube::CacheStats s = running->cache->stats();
    out.objects = s.objects;
    out.watch_restarts = s.watch_restarts;
    out.relists = s.relists;
    out.watch_errors = s.errors;
    out.synced = s.synced;
    out.resources = running->kinds.size();
  }
  return out;
}

void ScaleGuard::write_status(json::Writer& w) const {
  const auto running = this->running();
  w.begin_object();
  if (!running) {
    std::lock_guard lock(mutex_);
    w.field("state", "discovering").field("cluster", config_.origin).field("lastError", discovery_error_);
    w.end_object();
    return;
  }
  w.field("state", running->cache->has_synced() ? "synced" : "syncing").field("cluster", config_.origin);
  w.key("resources").begin_array();
  for (const kube::ResourceStatus& r : running->cache->status()) {
    w.begin_object().field("resource", r.resource).field("synced", r.synced).field("objects", r.objects);
    w.field("resourceVersion", r.resource_version).field("lastError", r.last_error).end_object();
  }
  w.end_array().end_object();
}

std::string ScaleGuard::status_json() const {
  json::Writer w;
  write_status(w);
  return w.take();
}

}  // namespace driftgate::server
