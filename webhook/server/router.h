#pragma once
// HTTP semantics of the webhook, without sockets: which path and method exist,
// what a request must declare, and the answer for each endpoint. The session
// asks check_head() before reading a body and handle() after.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/audit_sink.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/route.h"
#include "server/scale_guard.h"
#include "server/tls_context.h"

namespace driftgate::server {

struct RequestHead {
  std::string_view method;
  std::string_view target;        // path and query, e.g. /validate?timeout=10s
  std::string_view content_type;  // "" when absent
  std::optional<std::uint64_t> content_length;  // nullopt when chunked or absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
  Route route = Route::Unknown;
};

// The /scale guard as serve runs it: the lookup, or why there is none.
struct ScaleGuardSetting {
  const ScaleGuard* guard = nullptr;  // null: off
  std::string off_reason;            // when off, for /readyz?verbose
};

class Router {
 public:
  Router(const Options& options, Metrics& metrics, PolicyStore& policies, const TlsContextStore& tls, AuditSink& audit,
         const ScaleGuardSetting* scale_guard = nullptr)
      : options_(options), metrics_(metrics), policies_(policies), tls_(tls), audit_(audit), scale_guard_(scale_guard) {}

  static Route route_of(std::string_view target);
  // "x-3f2a" for /validate/x-3f2a; "" for /validate. The webhook group narrows
  // evaluation to the policies `driftgate webhook-config` registered there.
  static std::string_view webhook_group_of(std::string_view target);

  // What the head alone decides: 404, 405, 415, or 413 for a declared length
  // over the limit. nullopt: read the body and call handle().
  std::optional<Response> check_head(const RequestHead& head) const;

  // The answer to a request whose head passed check_head() and whose body is complete.
  Response handle(const RequestHead& head, std::string_view body) const;

  // The answer when the body grew past --max-body-bytes while being read.
  Response body_too_large(Route route) const;

 private:
  Response review(Route route, std::string_view group, std::string_view body) const;
  Response readiness(std::string_view target) const;

  const Options& options_;
  Metrics& metrics_;
  PolicyStore& policies_;
  const TlsContextStore& tls_;
  AuditSink& audit_;
  const ScaleGuardSetting* scale_guard_;
};

}  // namespace driftgate::server
