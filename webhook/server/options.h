#pragma once
// The flags of `driftgate serve`, parsed and validated before anything starts.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/result.h"

namespace driftgate::server {

struct Options {
  std::filesystem::path policies_dir;
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::filesystem::path client_ca;  // empty: no client certificates asked for
  std::string listen_host = "0.0.0.0";
  std::uint16_t listen_port = 8443;
  unsigned threads = 0;  // 0 until parsed; then at least 1
  std::chrono::nanoseconds reload_interval = std::chrono::seconds(5);
  // Warn this long before the serving certificate's notAfter. cert-manager renews
  // a 90-day certificate 30 days early; a week still leaves time to act by hand.
  std::chrono::nanoseconds cert_expiry_warning = std::chrono::hours(7 * 24);
  std::string audit_log = "-";  // "-" is stdout

  // Limits. Each is a flag and each is named in the error a client gets.
  std::size_t max_body_bytes = 8u << 20;   // an UPDATE carries object + oldObject, each up to 1.5 MiB in etcd
  std::size_t max_json_depth = 128;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::nanoseconds header_timeout = std::chrono::seconds(10);  // TLS handshake and request head
  std::chrono::nanoseconds body_timeout = std::chrono::seconds(30);    // request body, and writing the response
  // Longer than the 90 s IdleConnTimeout of the API server's Go client, so the
  // client closes an idle connection first and never races a request into our close.
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(120);
  std::size_t max_connections = 10'000;
  std::chrono::nanoseconds shutdown_grace = std::chrono::seconds(25);  // below the Pod's default 30 s terminationGracePeriod

  // The /scale guard (docs/subresources.md): a scale is judged by its parent, whose
  // metadata a watch cache keeps. Auto: on when --kubeconfig/--context is given or
  // driftgate runs in a Pod with a service account token; off (with a warning)
  // otherwise, so that serve without any cluster keeps working.
  enum class ScaleGuard { Auto, On, Off };
  ScaleGuard scale_guard = ScaleGuard::Auto;
  std::filesystem::path kubeconfig;  // --kubeconfig: only this file
  std::string context;               // --context: instead of current-context
  bool lookup_failure_allow = false; // --lookup-failure=allow
  // A cache miss's GET, and a lookup's whole budget: well inside the 5 s webhook timeout.
  std::chrono::nanoseconds lookup_timeout = std::chrono::seconds(2);
};

// What parse_options found: options to run with, a request for help, or an error.
struct ParsedOptions {
  Options options;
  bool help = false;
};

// argv[0] is "serve". Errors name the flag and what was expected.
Result<ParsedOptions> parse_options(int argc, char** argv);

// The --help text: every flag with its default.
std::string usage_text();

}  // namespace driftgate::server
