#include "kube/client.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <cctype>
#include <limits>
#include <optional>
#include <thread>

#include "json/parse.h"
#include "kube/rate_limit.h"
#include "kube/status.h"

namespace driftgate::kube {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

// The protocol we speak; the API server would offer h2 otherwise.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
// Without Retry-After a 429 is waited out this long (client-go's default too).
constexpr std::chrono::seconds kDefaultRetryAfter{1};

struct ServerUrl {
  std::string host;         // without brackets
  std::string port;         // "443" when not given
  std::string authority;    // the Host header: host[:port] as written
  std::string base_path;    // a prefix before /api (a proxy path), without a trailing '/'
  std::string origin;       // https://authority, for messages
  bool host_is_ip = false;
};

Result<ServerUrl> parse_server(const std::string& server, const std::string& origin) {
  constexpr std::string_view kScheme = "https://";
  if (server.rfind(kScheme, 0) != 0) return Error{origin + ": server " + server + " is not an https:// URL"};
  std::string_view rest = std::string_view(server).substr(kScheme.size());
  ServerUrl url;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.base_path = std::string(rest.substr(slash));
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  url.authority = std::string(authority);
  url.origin = std::string(kScheme) + url.authority;
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Error{origin + ": server " + server + " has an unclosed '['"};
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Error{origin + ": server " + server + " is not a valid URL"};
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error{origin + ": server " + server + " has no host"};
  url.host = std::string(host);
  url.port = port.empty() ? "443" : std::string(port);
  for (char c : url.port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return Error{origin + ": server " + server + " has a bad port"};
  boost::system::error_code ec;
  net::ip::make_address(url.host, ec);
  url.host_is_ip = !ec;
  return url;
}

std::string openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

// Boost spells errno texts with a capital ("Connection refused"); ours read
// as the middle of a sentence.
std::string lowercase_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// "67108864 bytes (64 MiB)": the exact number to set, and one to read.
std::string bytes_text(std::size_t n) {
  std::string out = std::to_string(n) + " bytes";
  if (n >= (1u << 20) && n % (1u << 20) == 0) out += " (" + std::to_string(n >> 20) + " MiB)";
  else if (n >= (1u << 10) && n % (1u << 10) == 0) out += " (" + std::to_string(n >> 10) + " KiB)";
  return out;
}

// Go's wording (crypto/x509), which people search for, with where the trust came from.
std::string verify_error_text(long result, const std::string& ca_origin, const std::string& name) {
  switch (result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "x509: certificate signed by unknown authority (" + ca_origin + ")";
    case X509_V_ERR_CERT_HAS_EXPIRED: return "x509: certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "x509: certificate is not yet valid";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "x509: certificate is not valid for " + name + " (set tls-server-name in the kubeconfig if the server "
                                                            "is reached by another name)";
    default: return std::string("x509: ") + X509_verify_cert_error_string(result) + " (" + ca_origin + ")";
  }
}

// TLS 1.3 sends the server's refusal of a missing client certificate after the
// handshake: it surfaces on the first read.
bool is_certificate_required(beast::error_code ec) {
  return ec.category() == net::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED;
}

// The server offers no version we accept (TLS 1.2 and 1.3): its protocol_version
// alert, or our own refusal of the version it chose.
bool is_protocol_version_refused(beast::error_code ec) {
  if (ec.category() != net::error::get_ssl_category()) return false;
  int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || reason == SSL_R_UNSUPPORTED_PROTOCOL ||
         reason == SSL_R_WRONG_SSL_VERSION || reason == SSL_R_VERSION_TOO_LOW;
}

bool is_stale_connection(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated || ec == http::error::partial_message;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  for (char c : value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;  // an HTTP date: client-go ignores it too
    seconds = seconds * 10 + (c - '0');
    if (seconds > 1'000'000) break;
  }
  return std::chrono::seconds(seconds);
}

// Runs one asynchronous operation to completion on this thread; the
// tcp_stream's expiry turns a silent peer into beast::error::timeout.
template <typename Start>
beast::error_code run_on(net::io_context& ioc, Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

}  // namespace

std::string query_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

struct Client::Impl {
  Config config;
  ClientOptions options;
  ServerUrl url;
  CredentialSource credentials;
  TokenBucket bucket;
  ClientStats stats;

  net::io_context ioc;
  std::shared_ptr<ssl::context> tls;  // shared with the streams opened from it
  std::uint64_t tls_generation = 0;  // the credentials' certificate generation the context holds
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  std::uint64_t requests_on_connection = 0;

  Impl(Config c, ClientOptions o, ServerUrl u)
      : config(std::move(c)),
        options(std::move(o)),
        url(std::move(u)),
        credentials(config, options.now),
        bucket(options.qps, options.burst) {}

  // Runs one asynchronous operation to completion on this thread; the
  // tcp_stream's expiry turns a silent peer into beast::error::timeout.
  template <typename Start>
  beast::error_code run(Start&& start) {
    return run_on(ioc, std::forward<Start>(start));
  }

  Result<std::unique_ptr<ssl::context>> build_tls(const Credentials& creds) {
    ERR_clear_error();
    auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
      return Error{"configuring TLS: " + openssl_errors()};
    SSL_CTX_set_alpn_protos(native, kAlpnHttp11, sizeof kAlpnHttp11);
    boost::system::error_code ec;
    if (config.insecure_skip_tls_verify) {
      context->set_verify_mode(ssl::verify_none);
    } else {
      context->set_verify_mode(ssl::verify_peer);
      if (config.ca_pem.empty()) {
        context->set_default_verify_paths(ec);
        if (ec) return Error{"loading the system CAs: " + ec.message()};
      } else {
        BIO* bio = BIO_new_mem_buf(config.ca_pem.data(), static_cast<int>(config.ca_pem.size()));
        X509_STORE* store = SSL_CTX_get_cert_store(native);
        int anchors = 0;
        while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
          X509_STORE_add_cert(store, ca);
          X509_free(ca);
          ++anchors;
        }
        BIO_free(bio);
        ERR_clear_error();  // the loop ends on "no start line"
        if (anchors == 0) return Error{config.ca_origin + ": no PEM certificate in it"};
      }
    }
    if (!creds.client_certificate_pem.empty()) {
      context->use_certificate_chain(net::buffer(creds.client_certificate_pem), ec);
      if (ec) return Error{"client certificate of " + config.origin + ": " + ec.message()};
      context->use_private_key(net::buffer(creds.client_key_pem), ssl::context::pem, ec);
      if (ec) return Error{"client key of " + config.origin + ": " + ec.message()};
      if (SSL_CTX_check_private_key(native) != 1)
        return Error{"client key of " + config.origin + " does not match its client certificate"};
    }
    return context;
  }

  void close() {
    stream.reset();
    buffer.clear();
    requests_on_connection = 0;
  }

  std::optional<Error> connect() {
    close();
    return connect_on(ioc, stream);
  }

  // Opens `stream` on `io` (the request connection, or a stream's own).
  std::optional<Error> connect_on(net::io_context& io, std::optional<Stream>& stream) {
    auto run = [&io](auto&& start) { return run_on(io, std::forward<decltype(start)>(start)); };
    // The name the certificate must carry, and the SNI (Go sends none for an IP).
    const std::string& name = config.tls_server_name.empty() ? url.host : config.tls_server_name;
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    beast::error_code resolved = net::error::would_block;
    resolver.async_resolve(url.host, url.port, [&](beast::error_code e, tcp::resolver::results_type r) {
      resolved = e;
      endpoints = std::move(r);
    });
    io.restart();
    io.run_for(options.connect_timeout);
    if (resolved == net::error::would_block) {
      resolver.cancel();
      io.restart();
      io.run();
      return Error{"cannot reach " + url.origin + ": no address for " + url.host + " within " +
                   seconds_text(options.connect_timeout)};
    }
    if (resolved) return Error{"cannot reach " + url.origin + ": " + lowercase_first(resolved.message())};

    stream.emplace(io, *tls);
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_after(options.connect_timeout);
    ec = run([&](auto handler) { tcp_layer.async_connect(endpoints, std::move(handler)); });
    if (ec == beast::error::timeout)
      return Error{"cannot reach " + url.origin + ": no connection within " + seconds_text(options.connect_timeout)};
    if (ec) return Error{"cannot reach " + url.origin + ": " + lowercase_first(ec.message())};
    ++stats.connections;
    tcp_layer.socket().set_option(tcp::no_delay(true), ec);

    SSL* ssl_handle = stream->native_handle();
    bool sni = !config.tls_server_name.empty() || !url.host_is_ip;
    if (sni && SSL_set_tlsext_host_name(ssl_handle, name.c_str()) != 1)
      return Error{"TLS with " + url.origin + ": cannot set the server name " + name};
    if (!config.insecure_skip_tls_verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
      boost::system::error_code ip_ec;
      net::ip::make_address(name, ip_ec);
      int ok = ip_ec ? X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size())
                     : X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      if (ok != 1) return Error{"TLS with " + url.origin + ": cannot check the certificate for " + name};
    }
    ERR_clear_error();
    tcp_layer.expires_after(options.connect_timeout);
    ec = run([&](auto handler) { stream->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) {
      long verify = SSL_get_verify_result(ssl_handle);
      std::string why;
      if (ec == beast::error::timeout) {
        why = "no TLS handshake within " + seconds_text(options.connect_timeout);
      } else if (!config.insecure_skip_tls_verify && verify != X509_V_OK) {
        why = verify_error_text(verify, config.ca_origin, name);
      } else if (is_certificate_required(ec)) {
        why = "the server requires a client certificate, and " + config.origin + " has none";
      } else if (is_protocol_version_refused(ec)) {
        why = "TLS handshake failed: the server speaks neither TLS 1.2 nor TLS 1.3 (" + lowercase_first(ec.message()) + ")";
      } else {
        why = "TLS handshake failed: " + lowercase_first(ec.message());
      }
      stream.reset();
      return Error{url.origin + ": " + why};
    }
    return std::nullopt;
  }

  // One exchange on the current connection.
  struct Exchange {
    beast::error_code ec;
    bool wrote = false;
    std::optional<http::response<http::string_body>> response;
  };

  Exchange exchange(const http::request<http::string_body>& request) {
    Exchange out;
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_after(options.request_timeout);
    out.ec = run([&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
    if (out.ec) return out;
    out.wrote = true;
    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(options.max_response_bytes);
    out.ec = run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (!out.ec) out.response = parser.release();
    return out;
  }

  // Before each request: the rate limit, fresh credentials, and a TLS context
  // that holds the current client certificate.
  Result<Credentials> prepare() {
    auto wait = bucket.reserve(std::chrono::steady_clock::now());
    if (wait.count() > 0) {
      stats.throttled += wait;
      std::this_thread::sleep_for(wait);
    }
    auto creds = credentials.get();
    stats.exec_runs = credentials.exec_runs();
    if (!creds) return Error{creds.error()};
    if (!tls || tls_generation != credentials.certificate_generation()) {
      auto built = build_tls(*creds);
      if (!built) return Error{built.error()};
      close();  // a new client certificate needs a new handshake
      tls = std::move(*built);
      tls_generation = credentials.certificate_generation();
    }
    return creds;
  }

  http::request<http::string_body> make_request(http::verb method, std::string_view target, std::string_view accept,
                                                const Credentials& creds, std::string_view body = {},
                                                std::string_view content_type = {}) const {
    http::request<http::string_body> request{method, url.base_path + std::string(target), 11};
    request.set(http::field::host, url.authority);
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::accept, accept);
    if (!creds.authorization.empty()) request.set(http::field::authorization, creds.authorization);
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    request.body() = std::string(body);
    request.keep_alive(true);
    if (method != http::verb::get) request.prepare_payload();
    return request;
  }

  Result<std::unique_ptr<StreamingResponse>> open_stream(std::string_view target, std::string_view accept,
                                                         std::chrono::milliseconds idle_timeout);

  Result<Response> get(std::string_view target, std::string_view accept) {
    return send(http::verb::get, target, accept, {}, {});
  }

  // One request; a GET, PUT or DELETE is sent again on a new connection when a
  // kept-alive one turns out closed (each is idempotent), a POST only when it was
  // not written (a create sent twice would answer 409 AlreadyExists).
  Result<Response> send(http::verb method, std::string_view target, std::string_view accept, std::string_view body,
                        std::string_view content_type) {
    const std::string request_line = std::string(http::to_string(method)) + " " + std::string(target);
    int retries = 0;
    bool reauthenticated = false;
    bool reconnected = false;
    for (;;) {
      auto creds = prepare();
      if (!creds) return Error{creds.error()};
      if (!stream) {
        if (auto error = connect()) return *error;
      }

      auto request = make_request(method, target, accept, *creds, body, content_type);

      ++stats.requests;
      bool reused = requests_on_connection > 0;
      ++requests_on_connection;
      Exchange result = exchange(request);
      if (result.ec) {
        close();
        // The server closed a kept-alive connection between our requests:
        // open a new one and send again (a GET is safe to repeat).
        if (reused && !reconnected && is_stale_connection(result.ec) && (method != http::verb::post || !result.wrote)) {
          reconnected = true;
          continue;
        }
        if (is_certificate_required(result.ec))
          return Error{url.origin + ": the server requires a client certificate, and " + config.origin + " has none"};
        if (result.ec == beast::error::timeout)
          return Error{request_line + " on " + url.origin + ": no complete answer within " +
                       seconds_text(options.request_timeout)};
        if (result.ec == http::error::body_limit)
          return Error{request_line + " on " + url.origin + ": answer larger than " + bytes_text(options.max_response_bytes) +
                       " (ClientOptions::max_response_bytes)"};
        return Error{request_line + " on " + url.origin + ": " + lowercase_first(result.ec.message())};
      }
      reconnected = false;
      auto& response = *result.response;
      if (!response.keep_alive()) close();
      const int status = static_cast<int>(response.result_int());

      if (status == 401 && !reauthenticated && (config.exec || !config.token_file.empty())) {
        // An exec credential revoked before its expiry, or a token file being
        // rotated: fetch fresh credentials once.
        reauthenticated = true;
        credentials.invalidate();
        continue;
      }
      auto retry_after = parse_retry_after(response[http::field::retry_after]);
      if (status == 429 || (status == 503 && retry_after)) {
        if (retries >= options.max_retries)
          return Error{describe_error(status, response.body(), request_line) + ": gave up after " +
                       std::to_string(retries) + " retries"};
        auto pause = std::min<std::chrono::seconds>(retry_after.value_or(kDefaultRetryAfter), options.max_retry_after);
        ++retries;
        ++stats.retries;
        stats.retry_waited += pause;
        std::this_thread::sleep_for(pause);
        continue;
      }
      Response out;
      out.status = status;
      out.content_type = std::string(response[http::field::content_type]);
      out.body = std::move(response.body());
      return out;
    }
  }
};

// A stream owns its io_context, connection and TLS context (shared with the
// client that opened it, which may rebuild its own meanwhile).
struct StreamingResponse::Impl {
  net::io_context ioc;
  std::shared_ptr<ssl::context> tls;
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  std::chrono::milliseconds idle_timeout{0};
  std::string what;  // "GET <target> on <origin>", for errors
  int status = 0;
  std::string content_type;
  std::string pending;         // bytes of the body not yet returned as lines
  std::size_t consumed = 0;    // the start of pending's unread part
  bool body_done = false;
  std::atomic<bool> closed{false};

  // Reads more of the body into `pending`: false at its end.
  Result<bool> read_more() {
    if (closed.load()) return Error{what + ": closed"};
    if (body_done || parser.is_done()) {
      body_done = true;
      return false;
    }
    char chunk[16 * 1024];
    auto& body = parser.get().body();
    body.data = chunk;
    body.size = sizeof chunk;
    beast::get_lowest_layer(*stream).expires_after(idle_timeout);
    beast::error_code ec = run_on(ioc, [&](auto handler) { http::async_read_some(*stream, buffer, parser, std::move(handler)); });
    if (ec == http::error::need_buffer) ec = {};
    if (closed.load()) return Error{what + ": closed"};
    if (ec == beast::error::timeout) return Error{what + ": nothing received for " + seconds_text(idle_timeout)};
    if (ec) return Error{what + ": " + lowercase_first(ec.message())};
    pending.append(chunk, sizeof chunk - body.size);
    if (parser.is_done()) body_done = true;
    return true;
  }
};

StreamingResponse::StreamingResponse(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamingResponse::~StreamingResponse() = default;
int StreamingResponse::status() const { return impl_->status; }
const std::string& StreamingResponse::content_type() const { return impl_->content_type; }
bool StreamingResponse::closed() const { return impl_->closed.load(); }

void StreamingResponse::close() {
  // The reading thread runs the io_context; the cancellation runs there, and a
  // read that has not started yet sees the flag.
  if (impl_->closed.exchange(true)) return;
  Impl* impl = impl_.get();
  net::post(impl->ioc, [impl] {
    if (impl->stream) beast::get_lowest_layer(*impl->stream).cancel();
  });
}

Result<std::optional<std::string_view>> StreamingResponse::next_line(std::size_t max_line_bytes) {
  Impl& s = *impl_;
  if (s.consumed > 0) {  // the line returned last time is no longer referenced
    s.pending.erase(0, s.consumed);
    s.consumed = 0;
  }
  std::size_t searched = 0;
  for (;;) {
    auto newline = s.pending.find('\n', searched);
    if (newline != std::string::npos) {
      if (newline > max_line_bytes)
        return Error{s.what + ": a line longer than " + std::to_string(max_line_bytes) + " bytes"};
      s.consumed = newline + 1;
      std::string_view line(s.pending.data(), newline);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      return std::optional<std::string_view>(line);
    }
    searched = s.pending.size();
    if (s.pending.size() > max_line_bytes)
      return Error{s.what + ": a line longer than " + std::to_string(max_line_bytes) + " bytes"};
    auto more = s.read_more();
    if (!more) return Error{more.error()};
    if (!*more) {
      if (s.pending.empty()) return std::optional<std::string_view>();
      s.consumed = s.pending.size();  // a last line without '\n'
      return std::optional<std::string_view>(std::string_view(s.pending));
    }
  }
}

Result<std::string> StreamingResponse::read_all(std::size_t max_bytes) {
  Impl& s = *impl_;
  s.pending.erase(0, s.consumed);
  s.consumed = 0;
  for (;;) {
    if (s.pending.size() > max_bytes) {
      s.pending.resize(max_bytes);
      break;
    }
    auto more = s.read_more();
    if (!more) return Error{more.error()};
    if (!*more) break;
  }
  std::string out = std::move(s.pending);
  s.pending.clear();
  return out;
}

Result<std::unique_ptr<StreamingResponse>> Client::Impl::open_stream(std::string_view target, std::string_view accept,
                                                                     std::chrono::milliseconds idle_timeout) {
  const std::string request_line = "GET " + std::string(target);
  bool reauthenticated = false;
  for (;;) {
    auto creds = prepare();
    if (!creds) return Error{creds.error()};
    auto impl = std::make_unique<StreamingResponse::Impl>();
    impl->tls = tls;
    impl->idle_timeout = idle_timeout;
    impl->what = request_line + " on " + url.origin;
    // The stream's own TLS context must outlive its connection: connect_on uses *tls.
    if (auto error = connect_on(impl->ioc, impl->stream)) return *error;
    ++stats.streams;
    ++stats.requests;
    auto request = make_request(http::verb::get, target, accept, *creds);
    auto& tcp_layer = beast::get_lowest_layer(*impl->stream);
    tcp_layer.expires_after(options.request_timeout);
    beast::error_code ec =
        run_on(impl->ioc, [&](auto handler) { http::async_write(*impl->stream, request, std::move(handler)); });
    if (!ec) {
      impl->parser.header_limit(64 * 1024);
      // A stream: each line is bounded instead. Not boost::none: this Beast
      // compares a Content-Length against it and refuses every body.
      impl->parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      // The header comes when the server has accepted the watch: a request timeout applies.
      ec = run_on(impl->ioc, [&](auto handler) {
        http::async_read_header(*impl->stream, impl->buffer, impl->parser, std::move(handler));
      });
    }
    if (ec) {
      if (is_certificate_required(ec))
        return Error{url.origin + ": the server requires a client certificate, and " + config.origin + " has none"};
      if (ec == beast::error::timeout)
        return Error{request_line + " on " + url.origin + ": no answer within " + seconds_text(options.request_timeout)};
      return Error{request_line + " on " + url.origin + ": " + lowercase_first(ec.message())};
    }
    impl->status = static_cast<int>(impl->parser.get().result_int());
    impl->content_type = std::string(impl->parser.get()[http::field::content_type]);
    if (impl->status == 401 && !reauthenticated && (config.exec || !config.token_file.empty())) {
      reauthenticated = true;
      credentials.invalidate();
      continue;
    }
    return std::make_unique<StreamingResponse>(std::move(impl));
  }
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::create(Config config, ClientOptions options) {
  auto url = parse_server(config.server, config.origin);
  if (!url) return Error{url.error()};
  return Client(std::make_unique<Impl>(std::move(config), std::move(options), std::move(*url)));
}

Result<Response> Client::get(std::string_view target, std::string_view accept) { return impl_->get(target, accept); }
Result<Response> Client::send(std::string_view method, std::string_view target, std::string_view body,
                              std::string_view content_type) {
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return Error{"unknown HTTP method " + std::string(method)};
  return impl_->send(verb, target, "application/json", body, content_type);
}

Result<json::Document> Client::get_json(std::string_view target, std::string_view accept) {
  auto response = get(target, accept);
  if (!response) return Error{response.error()};
  if (response->status < 200 || response->status > 299)
    return Error{describe_error(response->status, response->body, "GET " + std::string(target))};
  auto doc = json::parse(response->body);
  if (!doc) return Error{"GET " + std::string(target) + ": the answer is not JSON: " + doc.error()};
  return doc;
}

Result<std::unique_ptr<StreamingResponse>> Client::stream(std::string_view target, std::string_view accept,
                                                          std::chrono::milliseconds idle_timeout) {
  return impl_->open_stream(target, accept, idle_timeout);
}

const Config& Client::config() const { return impl_->config; }
const ClientOptions& Client::options() const { return impl_->options; }
ClientStats Client::stats() const { return impl_->stats; }
void Client::disconnect() { impl_->close(); }

}  // namespace driftgate::kube
