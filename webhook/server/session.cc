#include "server/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include "admission/handle.h"

namespace driftgate::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;

// TLS records are at most 16 KiB; reading in that unit avoids a second read per record.
constexpr std::size_t kReadChunk = 16 * 1024;
// How long a refused upload may keep sending before the socket is closed, so
// the client reads our error instead of a connection reset.
constexpr std::chrono::seconds kMaxDrainTime{2};
// The TLS close_notify exchange; a client that never answers does not hold the session.
constexpr std::chrono::seconds kCloseTimeout{2};

// The client went away: nothing to answer, no one to tell.
bool is_disconnect(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == ssl::error::stream_truncated || ec == net::error::operation_aborted || ec == net::error::broken_pipe;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

Response error_response(int status, std::string message) {
  Response response;
  response.status = status;
  response.body = admission::error_body(message);
  return response;
}

}  // namespace

void ConnectionRegistry::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void ConnectionRegistry::remove(const Session* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

void ConnectionRegistry::shutdown_all() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : sessions_)
      if (auto session = weak.lock()) open.push_back(std::move(session));
  }
  // Outside the lock: a session's destructor takes it.
  for (auto& session : open) session->begin_shutdown();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

Session::Session(net::ip::tcp::socket&& socket, std::shared_ptr<ssl::context> tls, SessionContext& context)
    : tls_(std::move(tls)), stream_(std::move(socket), *tls_), context_(context) {
  context_.metrics.connection_opened();
}

Session::~Session() {
  context_.connections.remove(this);
  context_.metrics.connection_closed();
}

void Session::start() {
  // The socket belongs to one io thread's context; every step of this
  // session runs on that thread, so its members need no lock.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->state_ = State::Handshake;
    beast::get_lowest_layer(self->stream_).expires_after(self->context_.options.header_timeout);
    self->stream_.async_handshake(ssl::stream_base::server,
                                  beast::bind_front_handler(&Session::on_handshake, self));
  });
}

void Session::begin_shutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->shutting_down_ = true;
    // Waiting for a next request that may never come: close now. Any other
    // state finishes its request and closes after the response.
    if (self->state_ == State::Idle) beast::get_lowest_layer(self->stream_).cancel();
  });
}

void Session::on_handshake(beast::error_code ec) {
  if (ec) {
    // TLS garbage, a missing or untrusted client certificate, or a silent
    // peer: only this connection is dropped.
    if (ec == beast::error::timeout) context_.metrics.timed_out(TimeoutPhase::Handshake);
    context_.metrics.handshake_failed();
    return;
  }
  wait_for_request();
}

void Session::wait_for_request() {
  if (shutting_down_) return close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(context_.options.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(context_.options.max_body_bytes);
  refusal_.reset();
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here

  // The first request must come promptly (header timeout); later ones may
  // wait as long as the keep-alive idle timeout allows.
  state_ = State::Idle;
  beast::get_lowest_layer(stream_).expires_after(requests_served_ == 0 ? context_.options.header_timeout
                                                                        : context_.options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
}

void Session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    if (ec == beast::error::timeout)
      context_.metrics.timed_out(requests_served_ == 0 ? TimeoutPhase::Header : TimeoutPhase::Idle);
    return;  // closed by the client, by a timeout, or cancelled by shutdown
  }
  buffer_.commit(bytes);
  read_header();
}

void Session::read_header() {
  state_ = State::Reading;
  // From the first byte of the request: a slow sender cannot hold the connection.
  beast::get_lowest_layer(stream_).expires_after(context_.options.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

void Session::on_header(beast::error_code ec, std::size_t) {
  if (ec == beast::error::timeout) return context_.metrics.timed_out(TimeoutPhase::Header);
  if (ec == http::error::header_limit) {
    return send(error_response(431, "request head exceeds the limit of " +
                                        std::to_string(context_.options.max_header_bytes) +
                                        " bytes (--max-header-bytes)"),
                After::DrainAndClose);
  }
  if (ec == http::error::body_limit) {
    // The parser compares Content-Length with the limit as soon as the head is complete.
    return send(context_.router.body_too_large(Router::route_of(parser_->get().target())), After::DrainAndClose);
  }
  if (ec && is_disconnect(ec)) return;
  if (ec) return send(error_response(400, "malformed HTTP request: " + ec.message()), After::DrainAndClose);

  const auto& request = parser_->get();
  auto declared_length = parser_->content_length();
  head_ = RequestHead{request.method_string(), request.target(), request[http::field::content_type],
                      declared_length ? std::optional<std::uint64_t>(*declared_length) : std::nullopt};
  refusal_ = context_.router.check_head(head_);
  if (refusal_ && refusal_->status == 413) return send(std::move(*refusal_), After::DrainAndClose);
  bool expects_continue = iequals(request[http::field::expect], "100-continue");
  if (refusal_ && expects_continue) {
    // The client waits for our go-ahead before sending the body: refuse now,
    // and close, since the body it announced will never come.
    return send(std::move(*refusal_), After::Close);
  }
  // Other refusals (404, 405, 415) still read the body, bounded by the body
  // limit, so the connection stays usable for the next request.
  if (expects_continue) return send_continue();
  read_body();
}

void Session::send_continue() {
  // curl and other clients wait for this before sending a large body; the
  // API server never asks.
  continue_ = http::response<http::empty_body>(http::status::continue_, parser_->get().version());
  beast::get_lowest_layer(stream_).expires_after(context_.options.body_timeout);
  http::async_write(stream_, continue_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == beast::error::timeout) self->context_.metrics.timed_out(TimeoutPhase::Write);
      return;
    }
    self->read_body();
  });
}

void Session::read_body() {
  beast::get_lowest_layer(stream_).expires_after(context_.options.body_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
}

void Session::on_body(beast::error_code ec, std::size_t) {
  if (ec == beast::error::timeout) return context_.metrics.timed_out(TimeoutPhase::Body);
  if (ec == http::error::body_limit)
    return send(context_.router.body_too_large(Router::route_of(head_.target)), After::DrainAndClose);
  if (ec && is_disconnect(ec)) return;
  if (ec) return send(error_response(400, "malformed HTTP request body: " + ec.message()), After::DrainAndClose);

  const auto& request = parser_->get();
  After after = request.keep_alive() ? After::KeepAlive : After::Close;
  if (refusal_) return send(std::move(*refusal_), after);
  send(context_.router.handle(head_, request.body()), after);
}

void Session::send(Response response, After after) {
  if (shutting_down_ && after == After::KeepAlive) after = After::Close;
  after_write_ = after;
  context_.metrics.count_response(response.route, response.status);

  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(http::field::server, "driftgate");
  response_.set(http::field::content_type, response.content_type);
  if (!response.allow.empty()) response_.set(http::field::allow, response.allow);
  response_.body() = std::move(response.body);
  response_.keep_alive(after == After::KeepAlive);
  response_.prepare_payload();

  state_ = State::Writing;
  beast::get_lowest_layer(stream_).expires_after(context_.options.body_timeout);
  http::async_write(stream_, response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == beast::error::timeout) context_.metrics.timed_out(TimeoutPhase::Write);
    return;
  }
  ++requests_served_;
  switch (after_write_) {
    case After::KeepAlive: return wait_for_request();
    case After::Close: return close();
    case After::DrainAndClose:
      drain_deadline_ = std::chrono::steady_clock::now() + kMaxDrainTime;
      return drain();
  }
}

void Session::drain() {
  // Read and discard what the client still sends until it closes or the drain
  // time is over: closing a socket with unread data sends a reset, which can
  // destroy our error response before the client reads it.
  state_ = State::Closing;
  buffer_.clear();
  beast::get_lowest_layer(stream_).expires_at(drain_deadline_);
  stream_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (!ec) self->drain();
    // Otherwise the client closed or the deadline passed: the session ends and the socket closes.
  });
}

void Session::close() {
  state_ = State::Closing;
  beast::get_lowest_layer(stream_).expires_after(kCloseTimeout);
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    // Whatever the peer did with our close_notify, the socket closes with the session.
  });
}

}  // namespace driftgate::server
