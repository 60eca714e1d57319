// Raw bytes of one HTTP/1.1 request -> Beast's request parser with the server's
// header and body limits -> Router::check_head() -> Router::handle(), in-process
// and without sockets: the same steps Session::on_header/on_body take.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "fuzz_support.h"
#include "server/audit_sink.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/router.h"
#include "server/tls_context.h"

namespace {
namespace http = boost::beast::http;
using namespace driftgate;

struct Server {
  server::Options options;
  server::Metrics metrics;
  server::PolicyStore policies;
  server::TlsContextStore tls;
  std::unique_ptr<server::AuditSink> audit;
  std::optional<server::Router> router;
};
Server* g_server = nullptr;

// The status codes Router and Session may answer with.
bool known_status(int status) {
  for (int s : {200, 400, 404, 405, 413, 415, 431, 503})
    if (status == s) return true;
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_server = new Server;
  // Small limits so the fuzzer reaches 413 and 431 with small inputs.
  g_server->options.max_body_bytes = 64u << 10;
  g_server->options.max_header_bytes = 4u << 10;
  auto audit = server::AuditSink::open("/dev/null");
  if (!audit) fuzz::fail("/dev/null opens", audit.error());
  g_server->audit = std::move(*audit);
  g_server->policies.install(fuzz::default_policies(), "fuzz", fuzz::fixed_now());
  g_server->router.emplace(g_server->options, g_server->metrics, g_server->policies, g_server->tls,
                           *g_server->audit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const server::Router& router = *g_server->router;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(g_server->options.max_header_bytes));
  parser.body_limit(g_server->options.max_body_bytes);
  parser.eager(true);

  boost::asio::const_buffer input(data, size);
  boost::beast::error_code ec;
  std::optional<server::Response> refusal;
  bool head_checked = false;
  // Each round consumes bytes or ends; the bound is a backstop for the harness.
  for (std::size_t round = 0; !parser.is_done() && round <= size + 16; ++round) {
    if (input.size() == 0) {
      parser.put_eof(ec);  // everything was sent and the client closed
      break;
    }
    std::size_t used = parser.put(input, ec);
    input += used;
    if (ec == http::error::need_more || (!ec && used == 0)) {
      // No progress with what is left: the client sent everything and closed.
      // (The session would wait for more until --header-timeout/--body-timeout.)
      ec = {};
      if (used > 0) continue;
      parser.put_eof(ec);
      break;
    }
    if (ec) break;
    if (parser.is_header_done() && !head_checked) {
      head_checked = true;
      const auto& request = parser.get();
      auto declared = parser.content_length();
      server::RequestHead head{request.method_string(), request.target(), request[http::field::content_type],
                               declared ? std::optional<std::uint64_t>(*declared) : std::nullopt};
      refusal = router.check_head(head);
      if (refusal) FUZZ_CHECK(known_status(refusal->status), std::to_string(refusal->status));
      if (refusal && refusal->status == 413) return 0;
    }
  }
  if (ec == http::error::body_limit) {
    server::Response r = router.body_too_large(server::Router::route_of(parser.get().target()));
    FUZZ_CHECK(r.status == 413, r.body);
    return 0;
  }
  if (ec || !parser.is_done() || refusal) return 0;

  const auto& request = parser.get();
  auto declared = parser.content_length();
  server::RequestHead head{request.method_string(), request.target(), request[http::field::content_type],
                           declared ? std::optional<std::uint64_t>(*declared) : std::nullopt};
  server::Response response = router.handle(head, request.body());
  FUZZ_CHECK(known_status(response.status), std::to_string(response.status) + " " + response.body);
  return 0;
}
