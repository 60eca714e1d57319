#include "kube/metadata_cache.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include "json/parse.h"
#include "kube/list.h"
#include "kube/watch.h"

namespace driftgate::kube {

// --- ObjectMeta ---

std::shared_ptr<const ObjectMeta> ObjectMeta::from_metadata(const json::Value& metadata,
                                                            std::span<const std::string> drop_annotations) {
  auto meta = std::make_shared<ObjectMeta>();
  const json::Value* labels = metadata.find("labels");
  const json::Value* annotations = metadata.find("annotations");
  const json::Value* owners = metadata.find("ownerReferences");
  auto kept = [&](const json::Value* object, const json::Member& m) {
    if (!m.value.is_string()) return false;
    if (object == annotations)
      for (const auto& drop : drop_annotations)
        if (m.key == drop) return false;
    return true;
  };
  auto string_members = [&](const json::Value* object) {
    std::size_t n = 0;
    if (object)
      for (const auto& m : object->members()) n += kept(object, m) ? 1 : 0;
    return n;
  };
  const std::size_t label_count = string_members(labels), annotation_count = string_members(annotations);
  std::size_t owner_count = 0;
  if (owners)
    for (const auto& o : owners->items()) owner_count += o.is_object() ? 1 : 0;
  owner_count = std::min<std::size_t>(owner_count, 16);  // the controller mask's width; more is not seen in practice

  // One buffer of the exact size: no slack per object.
  std::size_t total = metadata.string_at("namespace").size() + metadata.string_at("name").size() +
                      metadata.string_at("uid").size() + metadata.string_at("resourceVersion").size();
  auto add_sizes = [&](const json::Value* object) {
    if (object)
      for (const auto& m : object->members())
        if (kept(object, m)) total += m.key.size() + m.value.as_string().size();
  };
  add_sizes(labels);
  add_sizes(annotations);
  std::size_t seen = 0;
  if (owners)
    for (const auto& o : owners->items()) {
      if (!o.is_object() || seen++ == owner_count) continue;
      total += o.string_at("apiVersion").size() + o.string_at("kind").size() + o.string_at("name").size() +
               o.string_at("uid").size();
    }
  meta->text_.reserve(total);
  meta->spans_.reserve(kFixed + 2 * label_count + 2 * annotation_count + 4 * owner_count);
  auto put = [&](std::string_view text) {
    meta->spans_.push_back({static_cast<std::uint32_t>(meta->text_.size()), static_cast<std::uint32_t>(text.size())});
    meta->text_.append(text);
  };
  put(metadata.string_at("namespace"));
  put(metadata.string_at("name"));
  put(metadata.string_at("uid"));
  put(metadata.string_at("resourceVersion"));
  auto put_pairs = [&](const json::Value* object) {
    if (object)
      for (const auto& m : object->members())
        if (kept(object, m)) {
          put(m.key);
          put(m.value.as_string());
        }
  };
  put_pairs(labels);
  put_pairs(annotations);
  meta->labels_ = static_cast<std::uint32_t>(label_count);
  meta->annotations_ = static_cast<std::uint32_t>(annotation_count);
  if (owners) {
    std::size_t i = 0;
    for (const auto& o : owners->items()) {
      if (!o.is_object()) continue;
      if (i == owner_count) break;
      put(o.string_at("apiVersion"));
      put(o.string_at("kind"));
      put(o.string_at("name"));
      put(o.string_at("uid"));
      const json::Value* controller = o.find("controller");
      if (controller && controller->is_bool() && controller->as_bool())
        meta->controller_mask_ = static_cast<std::uint16_t>(meta->controller_mask_ | (1u << i));
      ++i;
    }
  }
  meta->owners_ = static_cast<std::uint16_t>(owner_count);
  return meta;
}

std::pair<std::string_view, std::string_view> ObjectMeta::label(std::size_t i) const {
  return {at(label_at(i)), at(label_at(i) + 1)};
}

std::optional<std::string_view> ObjectMeta::label(std::string_view key) const {
  for (std::size_t i = 0; i < labels_; ++i)
    if (at(label_at(i)) == key) return at(label_at(i) + 1);
  return std::nullopt;
}

std::pair<std::string_view, std::string_view> ObjectMeta::annotation(std::size_t i) const {
  return {at(annotation_at(i)), at(annotation_at(i) + 1)};
}

std::optional<std::string_view> ObjectMeta::annotation(std::string_view key) const {
  for (std::size_t i = 0; i < annotations_; ++i)
    if (at(annotation_at(i)) == key) return at(annotation_at(i) + 1);
  return std::nullopt;
}

ObjectMeta::OwnerReference ObjectMeta::owner(std::size_t i) const {
  std::size_t at_ = owner_at(i);
  return {at(at_), at(at_ + 1), at(at_ + 2), at(at_ + 3), ((controller_mask_ >> i) & 1u) != 0};
}

std::size_t ObjectMeta::bytes() const {
  std::size_t text = text_.capacity() > 15 ? text_.capacity() + 1 : 0;  // beyond the small-string buffer
  return sizeof(ObjectMeta) + text + spans_.capacity() * sizeof(Span);
}

// --- the cache ---

namespace {

// namespace/name, as views into the entry the map holds (it outlives its key).
struct Key {
  std::string_view namespace_, name;
  friend bool operator==(const Key&, const Key&) = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    std::size_t h = std::hash<std::string_view>{}(k.namespace_);
    return h ^ (std::hash<std::string_view>{}(k.name) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
  }
};
using Map = std::unordered_map<Key, std::shared_ptr<const ObjectMeta>, KeyHash>;

void put(Map& map, std::shared_ptr<const ObjectMeta> meta) {
  // The key views the entry: an old entry (and its key) goes first.
  map.erase(Key{meta->namespace_(), meta->name()});
  Key key{meta->namespace_(), meta->name()};
  map.emplace(key, std::move(meta));
}

std::string display_name(const ApiResource& resource) {
  return resource.group.empty() ? resource.name : resource.name + "." + resource.group;
}

double random01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// What a metadata GET of one object asks for.
constexpr std::string_view kAcceptObjectMetadata = kAcceptPartialObjectMetadata;

struct Store {
  ApiResource resource;
  std::string name;  // deployments.apps
  mutable std::shared_mutex mutex;
  Map map;
  std::atomic<bool> synced{false};

  mutable std::mutex status_mutex;  // the two below, and `active`
  std::string resource_version;
  std::string last_error;
  Watch* active = nullptr;  // the watch in progress, for stop()
};

}  // namespace

struct MetadataCache::Impl {
  Config config;
  MetadataCacheOptions options;
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::jthread> threads;

  mutable std::mutex sync_mutex;
  mutable std::condition_variable sync_cv;

  std::atomic<std::uint64_t> lists{0}, relists{0}, watch_restarts{0}, events{0}, errors{0};

  std::mutex get_mutex;
  std::optional<Client> get_client;

  Store* find(std::string_view group, std::string_view resource) const {
    for (const auto& s : stores)
      if (s->resource.name == resource && s->resource.group == group) return s.get();
    return nullptr;
  }

  void set_error(Store& s, std::string error) {
    ++errors;
    std::lock_guard lock(s.status_mutex);
    s.last_error = std::move(error);
  }

  // Waits d in [delay, 2 * delay) capped at backoff_max; false when stopped meanwhile.
  bool backoff(const std::stop_token& stop, int failures) {
    auto delay = options.backoff_initial;
    for (int i = 1; i < failures && delay < options.backoff_max; ++i) delay *= 2;
    delay = std::min(delay, options.backoff_max);
    auto wait = std::min(options.backoff_max,
                         std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) *
                                                                              (1.0 + random01()))));
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, wait, [] { return false; });
    return !stop.stop_requested();
  }

  // A complete LIST into a new map, swapped in whole: readers see the old
  // contents until then, and objects deleted meanwhile go with the old map.
  Result<std::string> list(const std::stop_token& stop, Client& client, Store& s) {
    ListOptions list_options;
    list_options.limit = options.page_size;
    list_options.metadata_only = true;
    Map fresh;
    std::string resource_version;
    auto summary = list_pages(client, s.resource, list_options, [&](const Page& page) {
      if (page.restarted) fresh.clear();
      for (const json::Value& item : page.items())
        if (const json::Value* metadata = item.find("metadata"))
          put(fresh, ObjectMeta::from_metadata(*metadata, options.drop_annotations));
      resource_version = page.resource_version;
      return !stop.stop_requested();  // stop() waits for one page, not the whole list
    });
    if (!summary) return Error{summary.error()};
    if (stop.stop_requested()) return Error{"list " + s.name + ": stopped"};  // a partial list is never swapped in
    {
      std::unique_lock lock(s.mutex);
      s.map.swap(fresh);
    }
    return resource_version;
  }

  void apply(Store& s, const WatchEvent& event) {
    const json::Value* metadata = event.object().find("metadata");
    if (!metadata) return;
    if (event.type == EventType::Deleted) {
      std::unique_lock lock(s.mutex);
      s.map.erase(Key{metadata->string_at("namespace"), metadata->string_at("name")});
      return;
    }
    auto meta = ObjectMeta::from_metadata(*metadata, options.drop_annotations);  // built outside the lock
    std::unique_lock lock(s.mutex);
    put(s.map, std::move(meta));
  }

  void mark_synced(Store& s) {
    if (s.synced.exchange(true)) return;
    std::lock_guard lock(sync_mutex);
    sync_cv.notify_all();
  }

  // LIST, then WATCH from the list's resourceVersion for as long as it lasts.
  void reflect(const std::stop_token& stop, Store& s, Client& client) {
    std::stop_callback on_stop(stop, [&s] {
      std::lock_guard lock(s.status_mutex);
      if (s.active) s.active->stop();
    });
    std::string resource_version;
    bool need_list = true;
    bool listed_once = false;
    int failures = 0;
    std::uint64_t watches_since_list = 0;
    while (!stop.stop_requested()) {
      if (need_list) {
        auto listed = list(stop, client, s);
        if (stop.stop_requested()) return;
        if (!listed) {
          set_error(s, listed.error());
          if (!backoff(stop, ++failures)) return;
          continue;
        }
        resource_version = std::move(*listed);
        need_list = false;
        failures = 0;
        watches_since_list = 0;
        ++lists;
        if (listed_once) ++relists;
        listed_once = true;
        {
          std::lock_guard lock(s.status_mutex);
          s.resource_version = resource_version;
        }
        mark_synced(s);
      }

      WatchOptions watch_options;
      watch_options.resource_version = resource_version;
      watch_options.metadata_only = true;
      watch_options.timeout = options.watch_timeout;
      Watch watch(client, s.resource, watch_options);
      {
        std::lock_guard lock(s.status_mutex);
        s.active = &watch;
      }
      if (stop.stop_requested()) watch.stop();  // the callback may have run before registration
      if (watches_since_list++ > 0) ++watch_restarts;
      const auto opened = std::chrono::steady_clock::now();
      bool failed = false;
      for (;;) {
        auto event = watch.next();
        if (!event) {
          if (!stop.stop_requested()) {
            set_error(s, event.error());
            failed = true;
          }
          break;
        }
        if (!*event) {
          // The server ended it (timeoutSeconds). Ending at once without an event
          // again and again would be a busy loop: that counts as a failure.
          if (watch.events() == 0 && std::chrono::steady_clock::now() - opened < std::chrono::seconds(1)) {
            set_error(s, "watch " + s.name + ": the server ended the watch at once");
            failed = true;
          }
          break;
        }
        const WatchEvent& e = **event;
        if (e.type == EventType::Error) {
          if (e.expired()) {
            need_list = true;  // the resourceVersion is gone from the server's history
          } else {
            auto status = e.status();
            set_error(s, "watch " + s.name + ": " + std::to_string(status->code) + ": " + status->message);
            failed = true;
          }
          break;
        }
        ++events;
        failures = 0;
        if (e.type != EventType::Bookmark) apply(s, e);
      }
      {
        std::lock_guard lock(s.status_mutex);
        s.active = nullptr;
        if (!need_list) s.resource_version = watch.resource_version();
      }
      if (!need_list) resource_version = watch.resource_version();
      if (failed && !backoff(stop, ++failures)) return;
    }
  }
};

MetadataCache::MetadataCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetadataCache::~MetadataCache() { stop(); }

Result<std::unique_ptr<MetadataCache>> MetadataCache::start(Config config, MetadataCacheOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->options = std::move(options);
  std::vector<Client> clients;
  for (const ApiResource& resource : impl->options.resources) {
    auto client = Client::create(impl->config, impl->options.client);
    if (!client) return Error{client.error()};
    clients.push_back(std::move(*client));
    auto store = std::make_unique<Store>();
    store->resource = resource;
    store->name = display_name(resource);
    impl->stores.push_back(std::move(store));
  }
  std::unique_ptr<MetadataCache> cache(new MetadataCache(std::move(impl)));
  Impl* self = cache->impl_.get();
  for (std::size_t i = 0; i < self->stores.size(); ++i)
    self->threads.emplace_back([self, store = self->stores[i].get(), client = std::move(clients[i])](
                                   std::stop_token stop) mutable { self->reflect(stop, *store, client); });
  return cache;
}

void MetadataCache::stop() {
  for (auto& t : impl_->threads) t.request_stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  std::lock_guard lock(impl_->sync_mutex);
  impl_->sync_cv.notify_all();
}

std::shared_ptr<const ObjectMeta> MetadataCache::lookup(std::string_view group, std::string_view resource,
                                                        std::string_view namespace_, std::string_view name) const {
  const Store* s = impl_->find(group, resource);
  if (!s) return nullptr;
  std::shared_lock lock(s->mutex);
  auto found = s->map.find(Key{namespace_, name});
  return found == s->map.end() ? nullptr : found->second;
}

Result<std::shared_ptr<const ObjectMeta>> MetadataCache::get(std::string_view group, std::string_view resource,
                                                             std::string_view namespace_, std::string_view name) {
  const Store* s = impl_->find(group, resource);
  if (!s) return Error{"get " + std::string(resource) + ": not a resource of the cache"};
  std::string target = collection_path(s->resource, namespace_) + "/" + query_escape(name);
  std::lock_guard lock(impl_->get_mutex);
  if (!impl_->get_client) {
    ClientOptions o = impl_->options.client;
    o.connect_timeout = impl_->options.get_timeout;
    o.request_timeout = impl_->options.get_timeout;
    o.max_retries = 0;  // no Retry-After waits on the admission path
    auto client = Client::create(impl_->config, o);
    if (!client) return Error{client.error()};
    impl_->get_client.emplace(std::move(*client));
  }
  auto response = impl_->get_client->get(target, kAcceptObjectMetadata);
  if (!response) return Error{"get " + s->name + " " + std::string(name) + ": " + response.error()};
  if (response->status == 404) return std::shared_ptr<const ObjectMeta>();
  if (response->status < 200 || response->status > 299)
    return Error{"get " + s->name + " " + std::string(name) + ": " +
                 describe_error(response->status, response->body, "GET " + target)};
  auto doc = json::parse(response->body);
  if (!doc) return Error{"GET " + target + ": the answer is not JSON: " + doc.error()};
  const json::Value* metadata = doc->root.find("metadata");
  if (!metadata) return Error{"GET " + target + ": the answer has no metadata"};
  return ObjectMeta::from_metadata(*metadata, impl_->options.drop_annotations);
}

bool MetadataCache::has_synced() const {
  for (const auto& s : impl_->stores)
    if (!s->synced.load()) return false;
  return true;
}

bool MetadataCache::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->sync_mutex);
  return impl_->sync_cv.wait_for(lock, timeout, [this] { return has_synced(); });
}

CacheStats MetadataCache::stats() const {
  CacheStats out;
  for (const auto& s : impl_->stores) {
    std::shared_lock lock(s->mutex);
    out.objects += s->map.size();
  }
  out.lists = impl_->lists.load();
  out.relists = impl_->relists.load();
  out.watch_restarts = impl_->watch_restarts.load();
  out.events = impl_->events.load();
  out.errors = impl_->errors.load();
  out.synced = has_synced();
  return out;
}

std::vector<ResourceStatus> MetadataCache::status() const {
  std::vector<ResourceStatus> out;
  for (const auto& s : impl_->stores) {
    ResourceStatus r;
    r.resource = s->name;
    r.synced = s->synced.load();
    {
      std::shared_lock lock(s->mutex);
      r.objects = s->map.size();
    }
    std::lock_guard lock(s->status_mutex);
    r.resource_version = s->resource_version;
    r.last_error = s->last_error;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace driftgate::kube
