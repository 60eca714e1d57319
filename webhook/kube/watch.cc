#include "kube/watch.h"

#include <random>

#include "json/parse.h"
#include "json/writer.h"
#include "kube/client.h"
#include "kube/list.h"

namespace driftgate::kube {
namespace {

// A non-2xx answer's body is a Status: it need not be long.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

std::string what(const ApiResource& resource) {
  return resource.group.empty() ? resource.name : resource.name + "." + resource.group;
}

double random01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::chrono::seconds timeout_seconds(const WatchOptions& options, double random) {
  if (!options.jitter) return options.timeout;
  return std::chrono::seconds(static_cast<std::int64_t>(static_cast<double>(options.timeout.count()) * (1.0 + random)));
}

}  // namespace

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::Added: return "ADDED";
    case EventType::Modified: return "MODIFIED";
    case EventType::Deleted: return "DELETED";
    case EventType::Bookmark: return "BOOKMARK";
    case EventType::Error: return "ERROR";
  }
  return "?";
}

const json::Value& WatchEvent::object() const {
  static const json::Value kNull;
  const json::Value* object = document.root.find("object");
  return object ? *object : kNull;
}

std::string_view WatchEvent::resource_version() const {
  const json::Value* metadata = object().find("metadata");
  return metadata ? metadata->string_at("resourceVersion") : std::string_view{};
}

std::optional<Status> WatchEvent::status() const {
  if (type != EventType::Error) return std::nullopt;
  Status status;
  const json::Value& o = object();
  if (const json::Value* code = o.find("code"); code && code->is_integer()) status.code = static_cast<int>(code->as_integer());
  status.reason = std::string(o.string_at("reason"));
  status.message = std::string(o.string_at("message"));
  return status;
}

bool WatchEvent::expired() const {
  auto s = status();
  return s && (s->code == 410 || s->reason == "Expired" || s->reason == "Gone");
}

Result<WatchEvent> parse_watch_event(std::string_view line) {
  auto doc = json::parse(line);
  if (!doc) return Error{"a watch event is not JSON: " + doc.error()};
  WatchEvent event;
  std::string_view type = doc->root.string_at("type");
  if (type == "ADDED") event.type = EventType::Added;
  else if (type == "MODIFIED") event.type = EventType::Modified;
  else if (type == "DELETED") event.type = EventType::Deleted;
  else if (type == "BOOKMARK") event.type = EventType::Bookmark;
  else if (type == "ERROR") event.type = EventType::Error;
  else return Error{"a watch event of unknown type \"" + std::string(type) + "\""};
  const json::Value* object = doc->root.find("object");
  if (!object || !object->is_object()) return Error{"a watch event " + std::string(type) + " without an object"};
  event.document = std::move(*doc);
  return event;
}

std::string watch_target(const ApiResource& resource, const WatchOptions& options, double random) {
  std::string query;
  auto add = [&](std::string_view key, std::string_view value) {
    query += query.empty() ? '?' : '&';
    query.append(key).append("=").append(query_escape(value));
  };
  add("watch", "1");
  if (options.allow_bookmarks) add("allowWatchBookmarks", "true");
  if (!options.resource_version.empty()) add("resourceVersion", options.resource_version);
  add("timeoutSeconds", std::to_string(timeout_seconds(options, random).count()));
  if (!options.label_selector.empty()) add("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) add("fieldSelector", options.field_selector);
  return collection_path(resource, options.namespace_) + query;
}

Watch::Watch(Client& client, ApiResource resource, WatchOptions options)
    : client_(client),
      resource_(std::move(resource)),
      options_(std::move(options)),
      resource_version_(options_.resource_version) {}

Watch::~Watch() = default;

void Watch::stop() {
  stopped_.store(true);
  std::lock_guard lock(stream_mutex_);
  if (stream_) stream_->close();
}

Result<std::optional<WatchEvent>> Watch::next() {
  const std::string name = "watch " + what(resource_);
  if (stopped_.load()) return Error{name + ": stopped"};
  if (done_) return std::optional<WatchEvent>();
  if (!opened_) {
    opened_ = true;
    const double random = random01();
    target_ = watch_target(resource_, options_, random);
    auto idle = options_.idle_timeout;
    if (idle.count() <= 0) idle = timeout_seconds(options_, random) + std::chrono::seconds(30);
    auto stream = client_.stream(target_, options_.metadata_only ? kAcceptPartialObjectMetadata
                                                                  : std::string_view("application/json"),
                                 idle);
    if (!stream) {
      done_ = true;
      return Error{name + ": " + stream.error()};
    }
    {
      std::lock_guard lock(stream_mutex_);
      stream_ = std::move(*stream);
      if (stopped_.load()) stream_->close();  // stop() came while the request was on its way
    }
    const int status = stream_->status();
    if (status < 200 || status > 299) {
      // As one ERROR event holding the Status (or one made from the answer).
      done_ = true;
      auto body = stream_->read_all(kMaxErrorBody);
      std::string text = body ? *body : std::string();
      auto parsed = parse_status(text);
      Status s = parsed ? *parsed : Status{status, "", describe_error(status, text, "GET " + target_)};
      if (s.code == 0) s.code = status;
      json::Writer w;
      w.begin_object().field("type", "ERROR").key("object").begin_object().field("kind", "Status");
      w.field("apiVersion", "v1").field("status", "Failure").field("code", s.code).field("reason", s.reason);
      w.field("message", s.message.empty() ? describe_error(status, text, "GET " + target_) : s.message);
      const std::string line = w.end_object().end_object().take();
      auto event = parse_watch_event(line);
      if (!event) return Error{name + ": " + event.error()};
      ++events_;
      return std::optional<WatchEvent>(std::move(*event));
    }
  }
  auto line = stream_->next_line(options_.max_event_bytes);
  while (line && *line && (*line)->empty()) line = stream_->next_line(options_.max_event_bytes);
  if (!line) {
    done_ = true;
    if (stopped_.load()) return Error{name + ": stopped"};
    return Error{name + ": " + line.error()};
  }
  if (!*line) {
    done_ = true;
    return std::optional<WatchEvent>();
  }
  auto event = parse_watch_event(**line);
  if (!event) {
    done_ = true;
    return Error{name + ": " + event.error()};
  }
  ++events_;
  if (event->type != EventType::Error) {
    std::string_view rv = event->resource_version();
    if (!rv.empty()) resource_version_ = std::string(rv);
  }
  return std::optional<WatchEvent>(std::move(*event));
}

}  // namespace driftgate::kube
