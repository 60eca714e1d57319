#pragma once
// An HTTPS client for one kube-apiserver: TLS verified against the kubeconfig's
// CA (or the system's), the credentials of kube/credentials.h, one keep-alive
// connection reused (and reopened when the server closes it), a client-side
// rate limit, and 429 Retry-After honoured. Boost.Beast and OpenSSL stay in
// client.cc: including this header costs nothing.
//
// A Client is used from one thread at a time; make one per thread for parallel work.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "json/value.h"
#include "kube/config.h"
#include "kube/credentials.h"
#include "util/result.h"

namespace driftgate::kube {

struct ClientOptions {
  // client-go's defaults (rest.DefaultQPS, rest.DefaultBurst), which kubectl uses
  // for everything but discovery. qps <= 0 turns the limit off.
  double qps = 5;
  int burst = 10;
  std::chrono::milliseconds connect_timeout{10'000};  // TCP connect and TLS handshake, each
  std::chrono::milliseconds request_timeout{60'000};  // sending a request and reading its whole answer
  // Answers of 429 (and 503 with Retry-After: API Priority and Fairness) are
  // waited out this many times before the request fails.
  int max_retries = 5;
  std::chrono::seconds max_retry_after{60};  // the longest single wait, whatever the server asks
  // The largest answer read into memory (a LIST page is one answer): a page of
  // 500 PartialObjectMetadata is about 1 MB, of 500 large full objects tens of
  // MB. One bad answer (a misbehaving server or proxy) must not take the
  // process down. Raise it for a LIST with a larger `limit` (or limit 0).
  std::size_t max_response_bytes = 64u << 20;
  std::string user_agent = "driftgate";
  CredentialSource::Now now = [] { return TimePoint(Clock::now()); };  // exec credential expiry
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
};

// A streaming GET (a WATCH) on a connection of its own, opened by
// Client::stream: the body is read as it arrives, one line at a time, with
// memory bounded by the longest line. close() may be called from any thread
// and ends a read in progress; every other call belongs to one thread.
class StreamingResponse {
 public:
  StreamingResponse(StreamingResponse&&) = delete;
  ~StreamingResponse();

  int status() const;
  const std::string& content_type() const;
  // The next line of the body, without its '\n', valid until the next call;
  // nullopt at the end of the body (the server ended the stream). An Error:
  // the connection failed, nothing arrived within the idle timeout, a line
  // longer than `max_line_bytes`, or close() was called.
  Result<std::optional<std::string_view>> next_line(std::size_t max_line_bytes);
  // The rest of the body (at most `max_bytes`): for an answer that is not 2xx.
  Result<std::string> read_all(std::size_t max_bytes);
  void close();
  bool closed() const;

  struct Impl;
  explicit StreamingResponse(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

struct ClientStats {
  std::uint64_t requests = 0;     // sent over the wire, retries included
  std::uint64_t connections = 0;  // TCP+TLS connections opened
  std::uint64_t retries = 0;      // after 429/503 Retry-After
  std::chrono::nanoseconds throttled{0};     // waited for the client-side rate limit
  std::chrono::nanoseconds retry_waited{0};  // waited for Retry-After
  int exec_runs = 0;              // credential plugin runs
  std::uint64_t streams = 0;      // streaming GETs opened (each on a connection of its own)
};

class Client {
 public:
  // Checks the server URL and builds the TLS settings; connects on first use.
  static Result<Client> create(Config config, ClientOptions options = {});
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // One GET of `target` (a path and query below the server URL, e.g.
  // "/api/v1/configmaps?limit=500"). Any HTTP answer is a Response, even 4xx;
  // an Error means no answer: unreachable, TLS refused, timed out, or 429
  // still after max_retries waits.
  Result<Response> get(std::string_view target, std::string_view accept = "application/json");
  // Any other request (POST, PUT, DELETE) with a body of `content_type`; like
  // get(), any HTTP answer is a Response.
  Result<Response> send(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view content_type = "application/json");
  // GET of a JSON document: a non-2xx answer is an Error with the server's
  // message (kube/status.h's describe_error).
  Result<json::Document> get_json(std::string_view target, std::string_view accept = "application/json");

  // A streaming GET (WATCH) of `target` on a new connection of its own (the
  // request connection stays free for GETs), with this client's TLS settings,
  // credentials and rate limit. Returns once the answer's header has arrived;
  // a non-2xx status is a StreamingResponse too (read_all() holds the Status).
  // `idle_timeout` bounds every wait for bytes.
  Result<std::unique_ptr<StreamingResponse>> stream(std::string_view target, std::string_view accept,
                                                    std::chrono::milliseconds idle_timeout);

  const Config& config() const;
  const ClientOptions& options() const;
  ClientStats stats() const;
  // Closes the connection; the next request opens a new one.
  void disconnect();

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `%`-escapes a query parameter value (continue tokens, label selectors).
std::string query_escape(std::string_view value);

}  // namespace driftgate::kube
