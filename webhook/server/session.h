#pragma once
// One client connection: TLS handshake, then HTTP/1.1 requests in a keep-alive
// loop, each step bounded by a timeout. Private to the server (Beast inside).
// Modelled on Beast's advanced_server_flex: the session owns its stream and
// buffers and keeps itself alive through shared_from_this across async calls.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/metrics.h"
#include "server/options.h"
#include "server/router.h"

namespace driftgate::server {

class Session;

// The open sessions, so a shutdown can reach the idle ones.
class ConnectionRegistry {
 public:
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  // Idle connections close now; busy ones finish their request and close.
  void shutdown_all();
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
};

struct SessionContext {
  const Options& options;
  Metrics& metrics;
  const Router& router;
  ConnectionRegistry& connections;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls` is the context current at accept time; the session keeps it, so a
  // certificate reload never touches an open connection.
  Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<boost::asio::ssl::context> tls,
          SessionContext& context);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Thread-safe; see ConnectionRegistry::shutdown_all().
  void begin_shutdown();

 private:
  enum class State { Handshake, Idle, Reading, Writing, Closing };

  void on_handshake(boost::beast::error_code ec);
  void wait_for_request();
  void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
  void read_header();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void send_continue();
  void read_body();
  void on_body(boost::beast::error_code ec, std::size_t bytes);
  // Answers and then keeps the connection, closes it, or (when the client
  // may still be sending a body we refused) drains it before closing.
  enum class After { KeepAlive, Close, DrainAndClose };
  void send(Response response, After after);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void drain();
  void close();

  std::shared_ptr<boost::asio::ssl::context> tls_;  // declared before stream_: outlives the SSL object
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  SessionContext& context_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  RequestHead head_;                 // views into *parser_'s header
  std::optional<Response> refusal_;  // decided from the head; sent once the body is read
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  After after_write_ = After::KeepAlive;
  State state_ = State::Handshake;
  std::size_t requests_served_ = 0;
  std::chrono::steady_clock::time_point drain_deadline_;
  bool shutting_down_ = false;
};

}  // namespace driftgate::server
