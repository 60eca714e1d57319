#include "server/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace driftgate::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// After an accept error such as EMFILE, wait before retrying instead of
// spinning on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

Listener::Listener(IoPool& io, const TlsContextStore& tls, SessionContext& context)
    : io_(io), acceptor_(io.main()), retry_timer_(acceptor_.get_executor()), tls_(tls), context_(context) {}

Result<std::shared_ptr<Listener>> Listener::open(IoPool& io, const tcp::endpoint& endpoint,
                                                 const TlsContextStore& tls, SessionContext& context) {
  auto listener = std::make_shared<Listener>(io, tls, context);
  beast::error_code ec;
  auto fail = [&](std::string_view step) -> Result<std::shared_ptr<Listener>> {
    return Error{"--listen " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
                 std::string(step) + ": " + ec.message()};
  };
  listener->acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  // A restarted server must be able to bind while old connections sit in TIME_WAIT.
  listener->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR");
  listener->acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  listener->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  listener->local_endpoint_ = listener->acceptor_.local_endpoint(ec);
  return listener;
}

void Listener::start() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::accept() {
  // Each connection lives on one io thread's context, so its steps run in
  // order on that thread and different connections run in parallel.
  acceptor_.async_accept(io_.next(), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (ec) {
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_error) {
      if (!wait_error && self->acceptor_.is_open()) self->accept();
    });
    return;
  }
  if (static_cast<std::size_t>(context_.metrics.open_connections()) >= context_.options.max_connections) {
    // Closing at once gives the API server a fast call error (its
    // failurePolicy decides) instead of a connection that hangs in a backlog.
    context_.metrics.connection_rejected();
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    socket.set_option(tcp::no_delay(true), ec);  // responses are small and latency-bound
    auto session = std::make_shared<Session>(std::move(socket), tls_.current(), context_);
    context_.connections.add(session);
    session->start();
  }
  accept();
}

}  // namespace driftgate::server
