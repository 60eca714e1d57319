#pragma once
// Reading the API server's answers that are not the object asked for: a
// meta/v1 Status body (kind: Status) on errors, turned into one line that says
// what failed, e.g. `403: User "ci-bot" cannot list resource "secrets" in API
// group "" at the cluster scope`.
#include <optional>
#include <string>
#include <string_view>

namespace driftgate::kube {

struct Status {
  int code = 0;
  std::string reason;   // Forbidden, NotFound, Expired, TooManyRequests, ...
  std::string message;  // the server's sentence
};

// The Status in a response body, when it holds one.
std::optional<Status> parse_status(std::string_view body);

// One line for a non-2xx answer: `<code>: <the Status message>`; without a
// Status body, `<code> <reason phrase>` and the start of the body. A Forbidden
// message loses its leading `secrets is forbidden: `, which the rest repeats.
// `request` (`GET /api/v1/secrets`) is appended when the message does not name
// the resource by itself.
std::string describe_error(int http_status, std::string_view body, std::string_view request = {});

}  // namespace driftgate::kube
