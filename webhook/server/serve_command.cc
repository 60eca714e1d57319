#include "server/serve_command.h"

#include <malloc.h>

#include <csignal>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "audit/audit.h"
#include "kube/config.h"
#include "server/audit_sink.h"
#include "server/io_pool.h"
#include "server/listener.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/reloader.h"
#include "server/router.h"
#include "server/scale_guard.h"
#include "server/session.h"
#include "server/tls_context.h"

namespace driftgate::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
// How often a shutdown checks whether every connection has finished.
constexpr std::chrono::milliseconds kDrainPollInterval{20};

TimePoint now() { return std::chrono::time_point_cast<std::chrono::nanoseconds>(Clock::now()); }

Result<tcp::endpoint> resolve_listen_address(const Options& options) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options.listen_host, ec);
  if (!ec) return tcp::endpoint(address, options.listen_port);
  // A host name such as "localhost": take its first address.
  net::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(options.listen_host, std::to_string(options.listen_port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    return Error{"--listen " + options.listen_host + ": cannot resolve: " + (ec ? ec.message() : "no address")};
  return results.begin()->endpoint();
}

// Stops accepting, lets open requests finish, and stops the io threads once
// every connection is gone or the grace period is over.
class GracefulShutdown {
 public:
  GracefulShutdown(IoPool& io, Listener& listener, ConnectionRegistry& connections, AuditSink& audit,
                   std::chrono::nanoseconds grace)
      : io_(io), listener_(listener), connections_(connections), audit_(audit), grace_(grace), poll_(io.main()) {}

  void begin(int signal_number) {
    if (started_) {
      // A second signal: the operator wants out now.
      audit_.write_line(audit::event_line(now(), "warn", "shutdown_forced", "second signal; stopping at once"));
      io_.stop();
      return;
    }
    started_ = true;
    deadline_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(grace_);
    audit_.write_line(audit::event_line(now(), "info", "shutdown_started",
                                        "stopped accepting; finishing in-flight requests",
                                        audit::EventFields()
                                            .add("signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM")
                                            .add("openConnections", connections_.size())
                                            .add("grace", format_duration(grace_))));
    listener_.stop();
    connections_.shutdown_all();
    poll();
  }

 private:
  void poll() {
    std::size_t open = connections_.size();
    if (open == 0) return io_.stop();
    if (std::chrono::steady_clock::now() >= deadline_) {
      audit_.write_line(audit::event_line(now(), "warn", "shutdown_grace_expired",
                                          "grace period over; closing the remaining connections",
                                          audit::EventFields().add("openConnections", open)));
      return io_.stop();
    }
    poll_.expires_after(kDrainPollInterval);
    poll_.async_wait([this](boost::system::error_code ec) {
      if (!ec) poll();
    });
  }

  IoPool& io_;
  Listener& listener_;
  ConnectionRegistry& connections_;
  AuditSink& audit_;
  std::chrono::nanoseconds grace_;
  net::steady_timer poll_;
  bool started_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

int serve_command(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (!parsed) {
    std::cerr << "driftgate serve: " << parsed.error() << "\n";
    return kExitUsage;
  }
  if (parsed->help) {
    std::cout << usage_text();
    return kExitOk;
  }
  const Options& options = parsed->options;

  // A closed stdout pipe (audit reader gone) must be a write error, not a
  // silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // Every review allocates and frees tens of kilobytes to megabytes (its body,
  // arena and response). With glibc's defaults the freed top of the heap went
  // back to the kernel and was faulted in again: a brk or madvise call every
  // few reviews (strace: 5,948 in 32,700 reviews of 15 KB; none with this).
  // Setting the trim threshold turns off glibc's adaptive mmap threshold, so set
  // that too: left at 128 KiB, every review over it was an mmap and munmap of
  // its own (1 MB reviews: 563 reviews/s against 978/s with 4 MiB, same RSS).
  // Larger allocations than 4 MiB are rare (the body limit is 8 MiB) and still
  // go straight back to the kernel.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);

  auto audit = AuditSink::open(options.audit_log);
  if (!audit) {
    std::cerr << "driftgate serve: " << audit.error() << "\n";
    return kExitUsage;
  }
  AuditSink& sink = **audit;
  auto fatal = [&](const std::string& message) {
    sink.write_line(audit::event_line(now(), "error", "startup_failed", message));
    std::cerr << "driftgate serve: " << message << "\n";
    return kExitUsage;
  };

  Metrics metrics;
  PolicyStore policies;
  TlsContextStore tls;
  metrics.watch_reload_failures(policies, tls);
  metrics.watch_scale_policies([&policies] { return policies.current(); });
  Reloader reloader(options, policies, tls, metrics, sink);
  if (auto loaded = reloader.load_initial_certificate(); !loaded) return fatal(loaded.error());
  reloader.load_policies_now();  // a broken set is logged; the server starts unready and keeps trying

  auto endpoint = resolve_listen_address(options);
  if (!endpoint) return fatal(endpoint.error());

  // The /scale guard (docs/subresources.md). Off is loud: a warning event and
  // /readyz?verbose say why, and every other write is judged as before.
  ScaleGuardSetting scale_guard;
  std::unique_ptr<ScaleGuard> guard;
  if (options.scale_guard == Options::ScaleGuard::Off) {
    scale_guard.off_reason = "--scale-guard=off";
  } else {
    const bool explicit_config = !options.kubeconfig.empty() || !options.context.empty();
    Result<kube::Config> config = Error{""};
    if (explicit_config || options.scale_guard == Options::ScaleGuard::On)
      config = kube::load_config({.kubeconfig = options.kubeconfig, .context = options.context});
    else
      config = kube::in_cluster_config();  // auto: a Pod's service account, never a developer's ~/.kube/config
    if (config) {
      for (const std::string& w : config->warnings)
        sink.write_line(audit::event_line(now(), "warn", "scale_guard_config", w));
      ScaleGuardOptions guard_options;
      guard_options.lookup_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.lookup_timeout);
      guard_options.cache.client.qps = 50;  // LIST pages and watch restarts of a few resources
      guard_options.cache.client.burst = 100;
      guard_options.cache.client.user_agent = "driftgate-scale-guard";
      const std::string origin = config->origin;
      guard = ScaleGuard::start(std::move(*config), policies.current(), std::move(guard_options));
      scale_guard.guard = guard.get();
      metrics.watch_scale_guard([g = guard.get()] { return g->stats(); });
      sink.write_line(audit::event_line(now(), "info", "scale_guard_started",
                                        "judging /scale writes by their parent; caches syncing from " + origin,
                                        audit::EventFields()
                                            .add("cluster", origin)
                                            .add("lookupFailure", options.lookup_failure_allow ? "allow" : "deny")));
    } else if (explicit_config || options.scale_guard == Options::ScaleGuard::On) {
      return fatal("--scale-guard: no cluster access: " + config.error());
    } else {
      scale_guard.off_reason = "no cluster access (not in a Pod: " + config.error() +
                               "; give --kubeconfig to guard /scale outside a cluster)";
    }
  }
  if (!scale_guard.guard) {
    sink.write_line(audit::event_line(
        now(), "warn", "scale_guard_off",
        "the /scale guard is OFF: kubectl scale of a GitOps-managed object is not judged by its owner (" +
            scale_guard.off_reason + ")",
        audit::EventFields().add("reason", scale_guard.off_reason)));
    std::cerr << "driftgate serve: warning: the /scale guard is off: " << scale_guard.off_reason << "\n";
  }

  Router router(options, metrics, policies, tls, sink, &scale_guard);
  ConnectionRegistry connections;
  SessionContext context{options, metrics, router, connections};
  IoPool io(options.threads);
  auto listener = Listener::open(io, *endpoint, tls, context);
  if (!listener) return fatal(listener.error());

  GracefulShutdown shutdown(io, **listener, connections, sink, options.shutdown_grace);
  net::signal_set signals(io.main(), SIGINT, SIGTERM);
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int number) {
    if (ec) return;
    shutdown.begin(number);
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  (*listener)->start();
  reloader.start();
  auto bound = (*listener)->local_endpoint();
  std::string address = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  address += ":" + std::to_string(bound.port());
  sink.write_line(audit::event_line(
      now(), "info", "listening", "driftgate serving https://" + address,
      audit::EventFields()
          .add("address", address)
          .add("threads", options.threads)
          .add("policyGeneration", policies.status().generation)
          .add("clientCertificates", options.client_ca.empty() ? "not requested" : "required")));

  io.run();
  reloader.stop();
  sink.write_line(audit::event_line(now(), "info", "stopped", "driftgate stopped"));
  return kExitOk;
}

}  // namespace driftgate::server
