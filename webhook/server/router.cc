#include "server/router.h"

#include <algorithm>
#include <cctype>

#include "admission/handle.h"
#include "server/certificate_expiry.h"
#include "json/writer.h"

namespace driftgate::server {
namespace {

TimePoint now() { return std::chrono::time_point_cast<std::chrono::nanoseconds>(Clock::now()); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "application/json" with or without parameters ("; charset=utf-8").
bool is_json_media_type(std::string_view content_type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), "application/json");
}

std::string_view query_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

// `verbose`, `verbose=1`, `a=b&verbose`: Kubernetes-style health endpoints
// accept the bare key.
bool has_query_key(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (item.substr(0, item.find('=')) == key) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

Response json_response(int status, std::string body, Route route) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.route = route;
  return response;
}

Response text_response(int status, std::string body, Route route) {
  Response response = json_response(status, std::move(body), route);
  response.content_type = "text/plain; charset=utf-8";
  return response;
}

// The members of one reloadable source's status (the caller opened the object).
void write_source_status(json::Writer& w, const SourceStatus& status) {
  w.field("generation", status.generation);
  if (!status.summary.empty()) w.field("serving", status.summary);
  if (status.loaded_at) w.field("loadedAt", format_rfc3339(*status.loaded_at));
  // lastError (the first, or null) is what clients read before lastErrors listed them all.
  if (status.last_errors.empty()) w.field("lastError", nullptr);
  else w.field("lastError", status.last_errors.front());
  w.strings("lastErrors", status.last_errors);
  if (status.last_error_at) w.field("lastErrorAt", format_rfc3339(*status.last_error_at));
  w.field("failedAttempts", status.failed_attempts);
}

// A group name as webhook-config writes it ("all", "x-<hash>"): short, and
// nothing that could be another path segment.
bool is_group_name(std::string_view name) {
  return !name.empty() && name.size() <= 63 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// "/validate" or "/validate/<group>" for prefix "/validate".
bool is_admission_path(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  std::string_view rest = path.substr(prefix.size());
  return rest.empty() || (rest.front() == '/' && is_group_name(rest.substr(1)));
}

}  // namespace

Route Router::route_of(std::string_view target) {
  // The API server appends ?timeout=10s: only the path decides the route.
  std::string_view path = target.substr(0, target.find('?'));
  if (is_admission_path(path, "/validate")) return Route::Validate;
  if (is_admission_path(path, "/mutate")) return Route::Mutate;
  if (path == "/healthz") return Route::Healthz;
  if (path == "/readyz") return Route::Readyz;
  if (path == "/metrics") return Route::Metrics;
  return Route::Unknown;
}

std::string_view Router::webhook_group_of(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  for (std::string_view prefix : {"/validate/", "/mutate/"})
    if (path.starts_with(prefix)) return path.substr(prefix.size());
  return {};
}

std::optional<Response> Router::check_head(const RequestHead& head) const {
  Route route = route_of(head.target);
  if (route == Route::Unknown) {
    std::string path(head.target.substr(0, head.target.find('?')));
    return json_response(404,
                         admission::error_body("no such endpoint: " + path +
                                         " (endpoints: POST /validate[/GROUP], POST /mutate[/GROUP], GET /healthz, GET /readyz, GET /metrics)"),
                         route);
  }
  bool is_admission = route == Route::Validate || route == Route::Mutate;
  std::string_view expected = is_admission ? "POST" : "GET";
  if (head.method != expected) {
    Response response = json_response(
        405, admission::error_body("method " + std::string(head.method) + " not allowed on /" +
                             std::string(route_label(route)) + "; use " + std::string(expected)),
        route);
    response.allow = std::string(expected);
    return response;
  }
  if (!is_admission) return std::nullopt;
  if (!is_json_media_type(head.content_type)) {
    return json_response(415,
                         admission::error_body("Content-Type must be application/json, got \"" +
                                         std::string(head.content_type) + "\""),
                         route);
  }
  if (head.content_length && *head.content_length > options_.max_body_bytes) return body_too_large(route);
  return std::nullopt;
}

Response Router::body_too_large(Route route) const {
  return json_response(413,
                       admission::error_body("request body exceeds the limit of " + std::to_string(options_.max_body_bytes) +
                                       " bytes (--max-body-bytes)"),
                       route);
}

Response Router::handle(const RequestHead& head, std::string_view body) const {
  Route route = route_of(head.target);
  switch (route) {
    case Route::Validate:
    case Route::Mutate: return review(route, webhook_group_of(head.target), body);
    case Route::Healthz: return text_response(200, "ok\n", route);
    case Route::Readyz: return readiness(head.target);
    case Route::Metrics: {
      Response response = text_response(200, metrics_.render(), route);
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return response;
    }
    case Route::Unknown: break;
  }
  return *check_head(head);  // unreachable for a head that passed check_head(); answers 404 anyway
}

Response Router::review(Route route, std::string_view group, std::string_view body) const {
  std::shared_ptr<const policy::PolicySet> set = policies_.current();  // this request keeps this set
  if (!set) {
    return json_response(503, admission::error_body("no valid policy set loaded yet; see /readyz?verbose"), route);
  }
  auto started = std::chrono::steady_clock::now();
  admission::Limits limits;
  limits.max_depth = options_.max_json_depth;
  auto endpoint = route == Route::Mutate ? engine::Endpoint::Mutate : engine::Endpoint::Validate;
  admission::Subresources subresources;
  if (scale_guard_ && scale_guard_->guard) {
    subresources.parents = scale_guard_->guard;
    subresources.on_failure = options_.lookup_failure_allow ? admission::LookupFailure::Allow : admission::LookupFailure::Deny;
  }
  admission::Outcome outcome =
      admission::handle(body, endpoint, *set, now(), limits, group, engine::Source::Admission, subresources);
  if (!outcome.audit_line.empty()) audit_.write_line(outcome.audit_line);
  metrics_.observe_admission(route, std::chrono::steady_clock::now() - started,
                             outcome.http_status == 200 ? &outcome.decision : nullptr);
  if (outcome.http_status != 200 && outcome.body.empty()) outcome.body = admission::error_body(outcome.error);
  return json_response(outcome.http_status, std::move(outcome.body), route);
}

Response Router::readiness(std::string_view target) const {
  const bool policies_ready = policies_.current() != nullptr;
  // With the /scale guard on, not ready until its caches have listed once: a scale
  // judged before that would need a GET each, or fail.
  const bool guard_ready = !scale_guard_ || !scale_guard_->guard || scale_guard_->guard->synced();
  const bool ready = policies_ready && guard_ready;
  if (!has_query_key(query_of(target), "verbose")) {
    if (ready) return text_response(200, "ok\n", Route::Readyz);
    return text_response(503,
                         policies_ready ? "not ready: the scale guard's caches have not synced yet\n"
                                        : "not ready: no valid policy set loaded\n",
                         Route::Readyz);
  }
  json::Writer w;
  w.begin_object().field("ready", ready);
  w.key("policies").begin_object();
  write_source_status(w, policies_.status());
  w.end_object().key("certificate").begin_object();
  write_source_status(w, tls_.status());
  // Readiness does not follow the certificate: an expired one fails at the API
  // server's handshake whatever /readyz says; the log and this field say why.
  if (const auto not_after = known_not_after(tls_.not_after_unix())) {
    w.field("notAfter", format_rfc3339(*not_after));
    w.field("expiry", expiry_label(classify_expiry(*not_after, now(), options_.cert_expiry_warning)));
  }
  w.end_object().key("scaleGuard");
  if (scale_guard_ && scale_guard_->guard) {
    scale_guard_->guard->write_status(w);
  } else {
    w.begin_object().field("state", "off");
    if (scale_guard_) w.field("reason", scale_guard_->off_reason);
    w.end_object();
  }
  std::string body = w.end_object().take();
  body.push_back('\n');
  return json_response(ready ? 200 : 503, std::move(body), Route::Readyz);
}

}  // namespace driftgate::server
