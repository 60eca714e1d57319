#include "kube/status.h"

#include "json/parse.h"

namespace driftgate::kube {
namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// At most `n` bytes of printable text, for a body that is not a Status (an
// HTML page from a proxy, say).
std::string excerpt(std::string_view body, std::size_t n) {
  std::string out;
  for (char c : body.substr(0, n)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (body.size() > n) out += "...";
  return out;
}

}  // namespace

std::optional<Status> parse_status(std::string_view body) {
  if (body.empty() || body.front() != '{') return std::nullopt;
  auto doc = json::parse(body);
  if (!doc || doc->root.string_at("kind") != "Status") return std::nullopt;
  Status status;
  status.reason = std::string(doc->root.string_at("reason"));
  status.message = std::string(doc->root.string_at("message"));
  if (const json::Value* code = doc->root.find("code"); code && code->is_integer())
    status.code = static_cast<int>(code->as_integer());
  return status;
}

std::string describe_error(int http_status, std::string_view body, std::string_view request) {
  std::string out = std::to_string(http_status);
  auto status = parse_status(body);
  if (status && !status->message.empty()) {
    std::string_view message = status->message;
    if (http_status == 403) {
      // `secrets is forbidden: User "ci-bot" cannot list resource "secrets" ...`
      auto cut = message.find(" is forbidden: ");
      if (cut != std::string_view::npos && message.find(' ') == cut) message.remove_prefix(cut + 15);
    }
    out.append(": ").append(message);
    // Forbidden names verb, resource and user; other messages ("the server
    // could not find the requested resource") need the request beside them.
    if (http_status != 403 && !request.empty()) out.append(" (").append(request).append(")");
    return out;
  }
  std::string_view phrase = reason_phrase(http_status);
  if (!phrase.empty()) out.append(" ").append(phrase);
  if (!request.empty()) out.append(": ").append(request);
  if (!body.empty()) out.append(": ").append(excerpt(body, 200));
  return out;
}

}  // namespace driftgate::kube
