#include "server/options.h"

#include <charconv>
#include <functional>
#include <map>
#include <string_view>
#include <thread>

#include "util/time.h"

namespace driftgate::server {
namespace {

Result<std::uint64_t> parse_count(std::string_view flag, std::string_view text, std::uint64_t min,
                                  std::uint64_t max = UINT32_MAX) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return Error{std::string(flag) + ": expected an integer from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", got \"" + std::string(text) + "\""};
  return value;
}

// Byte sizes accept a binary suffix (8Mi, 16Ki) because nobody should count
// the zeros of 8388608 by hand.
Result<std::uint64_t> parse_bytes(std::string_view flag, std::string_view text) {
  std::uint64_t multiplier = 1;
  std::string_view digits = text;
  for (auto [suffix, factor] : {std::pair{"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30}}) {
    if (digits.ends_with(suffix)) {
      digits.remove_suffix(2);
      multiplier = factor;
      break;
    }
  }
  auto count = parse_count(flag, digits, 1);
  if (!count) return Error{std::string(flag) + ": expected a size such as 8388608, 512Ki or 8Mi, got \"" +
                           std::string(text) + "\""};
  if (*count > (1ull << 40) / multiplier) return Error{std::string(flag) + ": size too large"};
  return *count * multiplier;
}

// Go-style durations, plus a plain "500ms": sub-second timeouts matter for
// tests and for webhooks whose API server gives up after a few seconds.
std::optional<std::chrono::nanoseconds> parse_server_duration(std::string_view text) {
  if (text.ends_with("ms") && text.size() > 2) {
    std::string_view digits = text.substr(0, text.size() - 2);
    std::int64_t millis = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), millis);
    if (ec == std::errc{} && end == digits.data() + digits.size()) return std::chrono::milliseconds(millis);
    return std::nullopt;
  }
  return parse_duration(text);
}

Result<std::chrono::nanoseconds> parse_positive_duration(std::string_view flag, std::string_view text) {
  auto duration = parse_server_duration(text);
  if (!duration || duration->count() <= 0)
    return Error{std::string(flag) + ": expected a positive duration such as 500ms, 5s or 1m, got \"" +
                 std::string(text) + "\""};
  return *duration;
}

// "HOST:PORT", "[::1]:PORT" or ":PORT" (all interfaces).
Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return Error{"--listen: expected HOST:PORT, got \"" + std::string(text) + "\""};
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  auto port = parse_count("--listen", port_text, 0, 65535);
  if (!port) return Error{"--listen: expected a port 0-65535, got \"" + std::string(port_text) + "\""};
  return std::pair{std::string(host), static_cast<std::uint16_t>(*port)};
}

}  // namespace

Result<ParsedOptions> parse_options(int argc, char** argv) {
  ParsedOptions parsed;
  Options& o = parsed.options;

  // Each flag takes a value and stores it; one table keeps parsing and the
  // list of known flags in the same place.
  using Setter = std::function<std::optional<std::string>(std::string_view)>;
  auto assign = [](auto result, auto& target) -> std::optional<std::string> {
    if (!result) return result.error();
    target = static_cast<std::remove_reference_t<decltype(target)>>(*result);
    return std::nullopt;
  };
  const std::map<std::string_view, Setter> setters = {
      {"--policies", [&](std::string_view v) -> std::optional<std::string> { o.policies_dir = v; return {}; }},
      {"--tls-cert", [&](std::string_view v) -> std::optional<std::string> { o.tls_cert = v; return {}; }},
      {"--tls-key", [&](std::string_view v) -> std::optional<std::string> { o.tls_key = v; return {}; }},
      {"--client-ca", [&](std::string_view v) -> std::optional<std::string> { o.client_ca = v; return {}; }},
      {"--audit-log", [&](std::string_view v) -> std::optional<std::string> { o.audit_log = v; return {}; }},
      {"--listen",
       [&](std::string_view v) -> std::optional<std::string> {
         auto listen = parse_listen(v);
         if (!listen) return listen.error();
         o.listen_host = listen->first;
         o.listen_port = listen->second;
         return {};
       }},
      {"--threads", [&](std::string_view v) { return assign(parse_count("--threads", v, 1, 1024), o.threads); }},
      {"--reload-interval",
       [&](std::string_view v) { return assign(parse_positive_duration("--reload-interval", v), o.reload_interval); }},
      {"--cert-expiry-warning",
       [&](std::string_view v) {
         return assign(parse_positive_duration("--cert-expiry-warning", v), o.cert_expiry_warning);
       }},
      {"--max-body-bytes", [&](std::string_view v) { return assign(parse_bytes("--max-body-bytes", v), o.max_body_bytes); }},
      {"--max-json-depth", [&](std::string_view v) { return assign(parse_count("--max-json-depth", v, 1), o.max_json_depth); }},
      {"--max-header-bytes",
       [&](std::string_view v) { return assign(parse_bytes("--max-header-bytes", v), o.max_header_bytes); }},
      {"--header-timeout",
       [&](std::string_view v) { return assign(parse_positive_duration("--header-timeout", v), o.header_timeout); }},
      {"--body-timeout",
       [&](std::string_view v) { return assign(parse_positive_duration("--body-timeout", v), o.body_timeout); }},
      {"--idle-timeout",
       [&](std::string_view v) { return assign(parse_positive_duration("--idle-timeout", v), o.idle_timeout); }},
      {"--max-connections",
       [&](std::string_view v) { return assign(parse_count("--max-connections", v, 1), o.max_connections); }},
      {"--shutdown-grace",
       [&](std::string_view v) { return assign(parse_positive_duration("--shutdown-grace", v), o.shutdown_grace); }},
      {"--scale-guard",
       [&](std::string_view v) -> std::optional<std::string> {
         if (v == "auto") o.scale_guard = Options::ScaleGuard::Auto;
         else if (v == "on") o.scale_guard = Options::ScaleGuard::On;
         else if (v == "off") o.scale_guard = Options::ScaleGuard::Off;
         else return "--scale-guard: expected auto, on or off, got \"" + std::string(v) + "\"";
         return {};
       }},
      {"--kubeconfig", [&](std::string_view v) -> std::optional<std::string> { o.kubeconfig = v; return {}; }},
      {"--context", [&](std::string_view v) -> std::optional<std::string> { o.context = v; return {}; }},
      {"--lookup-failure",
       [&](std::string_view v) -> std::optional<std::string> {
         if (v != "deny" && v != "allow") return "--lookup-failure: expected deny or allow, got \"" + std::string(v) + "\"";
         o.lookup_failure_allow = v == "allow";
         return {};
       }},
      {"--lookup-timeout",
       [&](std::string_view v) { return assign(parse_positive_duration("--lookup-timeout", v), o.lookup_timeout); }},
  };

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      return parsed;
    }
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto setter = setters.find(name);
    if (setter == setters.end()) return Error{"unknown flag \"" + std::string(name) + "\" (see --help)"};
    if (!value) {
      if (i + 1 >= argc) return Error{std::string(name) + ": missing value"};
      value = argv[++i];
    }
    if (auto error = setter->second(*value)) return Error{*error};
  }

  if (o.policies_dir.empty()) return Error{"--policies DIR is required"};
  if (o.tls_cert.empty()) return Error{"--tls-cert FILE is required"};
  if (o.tls_key.empty()) return Error{"--tls-key FILE is required"};
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  if (o.scale_guard == Options::ScaleGuard::Off && (!o.kubeconfig.empty() || !o.context.empty()))
    return Error{"--scale-guard=off reads no cluster: drop --kubeconfig/--context, or use --scale-guard=on"};
  return parsed;
}

std::string usage_text() {
  return R"(Usage: driftgate serve --policies DIR --tls-cert FILE --tls-key FILE [flags]

Runs the HTTPS admission webhook: POST /validate, POST /mutate, GET /healthz,
GET /readyz[?verbose], GET /metrics.

Required:
  --policies DIR            policy set directory (read recursively, reloaded when it changes)
  --tls-cert FILE           serving certificate chain, PEM (reloaded when it changes)
  --tls-key FILE            private key of the serving certificate, PEM

Optional:
  --listen HOST:PORT        address to listen on (default 0.0.0.0:8443; [::]:8443 for IPv6)
  --client-ca FILE          require client certificates signed by this CA (refused at the handshake otherwise)
  --threads N               I/O threads (default: number of cores)
  --reload-interval DUR     how often to look for policy and certificate changes (default 5s)
  --cert-expiry-warning DUR log a warning, then every hour, when the serving certificate has
                            less than this left (default 168h); an expired one is an error
  --audit-log -|FILE        where decision and server-event JSON lines go (default -, stdout)

Limits (each is named in the error a client receives):
  --max-body-bytes N        request body size, suffixes Ki/Mi/Gi allowed (default 8Mi) -> 413
  --max-json-depth N        JSON nesting depth of a review (default 128) -> 400
  --max-header-bytes N      request line plus headers (default 16Ki) -> 431
  --header-timeout DUR      TLS handshake and request head, from the first byte (default 10s)
  --body-timeout DUR        reading the request body, and writing the response (default 30s)
  --idle-timeout DUR        keep-alive connection idle between requests (default 120s)
  --max-connections N       concurrent connections; more are closed at once (default 10000)
  --shutdown-grace DUR      on SIGTERM/SIGINT, time for in-flight requests to finish (default 25s)

The /scale guard (docs/subresources.md): `kubectl scale` is judged as an UPDATE of the
parent's spec.replicas; the parents' metadata is kept by LIST+WATCH of the scalable kinds.
  --scale-guard auto|on|off auto: on when --kubeconfig or --context is given or when running
                            in a Pod with a service account token, off with a warning otherwise;
                            on: refuse to start without cluster access (default auto)
  --kubeconfig FILE         kubeconfig to read the cluster with (default: in-cluster service account)
  --context NAME            kubeconfig context (default: its current-context)
  --lookup-failure deny|allow
                            a scale whose parent cannot be looked up (API server down, timeout)
                            is refused or allowed with a warning (default deny)
  --lookup-timeout DUR      a cache miss's GET of the parent, at most (default 2s)

Durations are Go-style: 500ms, 5s, 1m30s.
)";
}

}  // namespace driftgate::server
