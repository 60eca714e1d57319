#pragma once
// Accepts TCP connections and starts a Session on each with the TLS context
// current at that moment. Enforces --max-connections. Private to the server.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "server/io_pool.h"
#include "server/session.h"
#include "server/tls_context.h"

namespace driftgate::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; the error names the address.
  static Result<std::shared_ptr<Listener>> open(IoPool& io, const boost::asio::ip::tcp::endpoint& endpoint,
                                                const TlsContextStore& tls, SessionContext& context);

  void start();
  // Thread-safe: stops accepting; open connections are not touched.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return local_endpoint_; }

  Listener(IoPool& io, const TlsContextStore& tls, SessionContext& context);

 private:
  void accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  IoPool& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::ip::tcp::endpoint local_endpoint_;
  const TlsContextStore& tls_;
  SessionContext& context_;
};

}  // namespace driftgate::server
