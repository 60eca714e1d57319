#pragma once
// WATCH of one resource: `?watch=1&allowWatchBookmarks=true&resourceVersion=<rv>
// &timeoutSeconds=<n>` on a connection of its own (Client::stream), read as the
// server sends it: one JSON event per line, each parsed when its line is
// complete, so memory is bounded by one event. Pull-style: next() returns the
// events in order; stop() from another thread ends a next() in progress.
//
//   kube::Watch watch(client, deployments, {.resource_version = list_rv});
//   while (auto event = watch.next()) {           // Result<optional<WatchEvent>>
//     if (!*event) break;                         // the server ended it: resume from watch.resource_version()
//     if ((*event)->expired()) relist();          // ERROR 410: the rv is older than etcd's history
//     ...
//   }
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "kube/discovery.h"
#include "kube/status.h"
#include "util/result.h"

namespace driftgate::kube {

class Client;
class StreamingResponse;

// The Accept of a metadata-only watch: each event's object is a
// PartialObjectMetadata (the list form is kAcceptPartialObjectMetadataList).
inline constexpr std::string_view kAcceptPartialObjectMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

enum class EventType { Added, Modified, Deleted, Bookmark, Error };
std::string_view to_string(EventType type);

struct WatchEvent {
  EventType type = EventType::Added;
  json::Document document;  // the whole event line

  // The event's object: the (partial) object, a bookmark's object with only
  // metadata.resourceVersion, or an ERROR's Status.
  const json::Value& object() const;
  std::string_view resource_version() const;  // object.metadata.resourceVersion
  // For ERROR events.
  std::optional<Status> status() const;
  // An ERROR with code 410 (reason Expired, or Gone on old servers): the
  // resourceVersion is older than the server's history; only a new LIST helps.
  bool expired() const;
};

struct WatchOptions {
  std::string namespace_;         // empty: every namespace
  std::string resource_version;   // where to start; empty: from the server's current state
  bool metadata_only = false;     // kAcceptPartialObjectMetadata
  bool allow_bookmarks = true;
  std::string label_selector;
  std::string field_selector;
  // The server ends the watch after timeoutSeconds; as client-go's reflector,
  // a random value in [timeout, 2 * timeout) so that many watchers do not all
  // reconnect at once. jitter = false sends `timeout` itself.
  std::chrono::seconds timeout{300};
  bool jitter = true;
  // No byte for this long ends next() with an Error (a dead connection).
  // Zero: the timeoutSeconds sent plus 30 s.
  std::chrono::milliseconds idle_timeout{0};
  std::size_t max_event_bytes = 16u << 20;  // a longer line is an Error
};

// The request target of a watch (with the jittered timeoutSeconds drawn from `random01`, in [0, 1)).
std::string watch_target(const ApiResource& resource, const WatchOptions& options, double random01);

class Watch {
 public:
  // Nothing is sent until the first next().
  Watch(Client& client, ApiResource resource, WatchOptions options = {});
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // The next event; nullopt when the server ended the stream (its timeout, or
  // it closed). A non-2xx answer to the request comes as one ERROR event whose
  // object is the Status (a 410 there is expired() as well). An Error: the
  // connection failed or timed out, an event was not JSON or too large, or stop().
  // After nullopt or an Error, the watch is done.
  Result<std::optional<WatchEvent>> next();

  // From any thread: ends a next() in progress (and every later one) promptly.
  void stop();
  bool stopped() const { return stopped_.load(); }

  // The last resourceVersion seen (of an object or a bookmark): where a new
  // watch resumes. Starts as options.resource_version.
  const std::string& resource_version() const { return resource_version_; }
  std::size_t events() const { return events_; }
  const std::string& target() const { return target_; }

 private:
  Client& client_;
  ApiResource resource_;
  WatchOptions options_;
  std::string target_;
  std::string resource_version_;
  std::size_t events_ = 0;
  bool opened_ = false;
  bool done_ = false;
  std::atomic<bool> stopped_{false};
  std::mutex stream_mutex_;  // guards stream_ against stop() from another thread
  std::unique_ptr<StreamingResponse> stream_;
};

// Parses one line of a watch stream.
Result<WatchEvent> parse_watch_event(std::string_view line);

}  // namespace driftgate::kube
