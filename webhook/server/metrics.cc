#include "server/metrics.h"

#include "server/scale_guard.h"

#include <algorithm>
#include <cstdio>
#include <boost/container/small_vector.hpp>
#include <tuple>

namespace driftgate::server {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::size_t admission_index(Route route) { return route == Route::Mutate ? 1 : 0; }

// Prometheus label values escape backslash, double quote and newline.
std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_double(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

// What one matched policy did to one review: the strongest effect among its
// violations, or "pass" when it had none.
std::string_view policy_result(const engine::Decision& decision, std::string_view policy) {
  bool deny = false, warn = false, audit = false, bypassed = false;
  for (const auto& violation : decision.violations) {
    if (violation.policy != policy) continue;
    if (violation.bypassed) bypassed = true;
    else if (violation.mode == policy::Mode::Enforce) deny = true;
    else if (violation.mode == policy::Mode::Warn) warn = true;
    else audit = true;
  }
  if (deny) return "deny";
  if (bypassed) return "bypassed";
  if (warn) return "warn";
  if (audit) return "audit";
  return "pass";
}

}  // namespace

void Metrics::count_response(Route route, int status) {
  auto slot = std::find(kStatuses.begin(), kStatuses.end() - 1, status) - kStatuses.begin();  // unknown -> last ("0")
  responses_[static_cast<std::size_t>(route)][static_cast<std::size_t>(slot)].fetch_add(1, kRelaxed);
}

void Metrics::observe_admission(Route route, std::chrono::nanoseconds latency, const engine::Decision* decision) {
  auto index = admission_index(route);
  Histogram& histogram = latency_[index];
  double seconds = std::chrono::duration<double>(latency).count();
  auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds) - kLatencyBuckets.begin();
  histogram.buckets[static_cast<std::size_t>(bucket)].fetch_add(1, kRelaxed);
  histogram.count.fetch_add(1, kRelaxed);
  histogram.sum_nanos.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count())), kRelaxed);

  Outcome outcome;
  if (!decision) outcome = kInvalid;
  else if (route == Route::Mutate) outcome = decision->patch.empty() ? kUnchanged : kPatched;
  else outcome = decision->allowed ? kAllowed : kDenied;
  reviews_[index][outcome].fetch_add(1, kRelaxed);
  if (!decision) return;

  // Policies with a violation are normally among the matched ones; take the
  // union so a violation is never left uncounted.
  // No allocation on this path: it runs for every review on every I/O thread, and
  // the mutex below is held only for lookups of keys seen before.
  boost::container::small_vector<std::string_view, 16> names;
  auto add = [&](std::string_view policy) {
    if (std::find(names.begin(), names.end(), policy) == names.end()) names.push_back(policy);
  };
  for (const std::string& policy : decision->matched_policies) add(policy);
  for (const auto& violation : decision->violations) add(violation.policy);
  if (names.empty()) return;
  boost::container::small_vector<std::string_view, 16> results;
  for (std::string_view policy : names) results.push_back(policy_result(*decision, policy));
  std::lock_guard lock(policy_mutex_);
  for (std::size_t i = 0; i < names.size(); ++i) {
    PolicyResultView key(route, names[i], results[i]);
    auto it = policy_results_.find(key);
    if (it == policy_results_.end()) it = policy_results_.emplace(PolicyResultKey(route, std::string(names[i]), results[i]), 0).first;
    ++it->second;
  }
}

void Metrics::policy_reload_succeeded(std::uint64_t generation, std::size_t policies, std::int64_t unix_time) {
  policy_generation_.store(generation, kRelaxed);
  policies_loaded_.store(policies, kRelaxed);
  policy_last_success_unix_.store(unix_time, kRelaxed);
  policy_reload_successes_.fetch_add(1, kRelaxed);
}

void Metrics::certificate_loaded(std::int64_t not_after_unix, bool is_reload) {
  certificate_not_after_unix_.store(not_after_unix, kRelaxed);
  if (is_reload) certificate_reload_successes_.fetch_add(1, kRelaxed);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(8192);

  header(out, "driftgate_http_responses_total", "counter", "HTTP responses by handler (endpoint) and status code.");
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      auto value = responses_[r][s].load(kRelaxed);
      // The admission handlers' 200, 500 and 503 are there from the start, at 0: a
      // series that appears only with its first error is invisible to rate() for
      // that first burst, which is what the DriftgateAdmissionErrors alert watches.
      const bool admission = static_cast<Route>(r) == Route::Validate || static_cast<Route>(r) == Route::Mutate;
      const bool always_shown = admission && (kStatuses[s] == 200 || kStatuses[s] == 500 || kStatuses[s] == 503);
      if (value == 0 && !always_shown) continue;
      std::string code = kStatuses[s] ? std::to_string(kStatuses[s]) : "other";
      sample(out, "driftgate_http_responses_total",
             "handler=\"" + std::string(route_label(static_cast<Route>(r))) + "\",code=\"" + code + "\"",
             std::to_string(value));
    }
  }

  static constexpr std::array<std::string_view, kOutcomeCount> kOutcomeLabels = {"allowed", "denied", "patched",
                                                                                 "unchanged", "invalid"};
  header(out, "driftgate_admission_reviews_total", "counter",
         "Admission reviews answered, by handler (endpoint) and outcome (validate: allowed/denied; mutate: "
         "patched/unchanged; invalid: not a review, HTTP 400).");
  for (std::size_t i = 0; i < 2; ++i) {
    auto route = i == 0 ? Route::Validate : Route::Mutate;
    for (std::size_t o = 0; o < kOutcomeCount; ++o) {
      bool meaningful = o == kInvalid || (route == Route::Mutate ? (o == kPatched || o == kUnchanged)
                                                                 : (o == kAllowed || o == kDenied));
      if (!meaningful) continue;
      sample(out, "driftgate_admission_reviews_total",
             "handler=\"" + std::string(route_label(route)) + "\",outcome=\"" + std::string(kOutcomeLabels[o]) + "\"",
             std::to_string(reviews_[i][o].load(kRelaxed)));
    }
  }

  header(out, "driftgate_policy_results_total", "counter",
         "Per matched policy and review: pass, deny, warn, audit or bypassed (break-glass).");
  {
    std::lock_guard lock(policy_mutex_);
    for (const auto& [key, value] : policy_results_) {
      const auto& [route, policy, result] = key;
      sample(out, "driftgate_policy_results_total",
             "handler=\"" + std::string(route_label(route)) + "\",policy=\"" + label_value(policy) + "\",result=\"" +
                 std::string(result) + "\"",
             std::to_string(value));
    }
  }

  header(out, "driftgate_admission_duration_seconds", "histogram",
         "Time from a complete request body to a ready response (decode, evaluate, encode, audit).");
  for (std::size_t i = 0; i < 2; ++i) {
    std::string handler = "handler=\"" + std::string(route_label(i == 0 ? Route::Validate : Route::Mutate)) + "\"";
    const Histogram& h = latency_[i];
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b].load(kRelaxed);
      sample(out, "driftgate_admission_duration_seconds_bucket",
             handler + ",le=\"" + format_double(kLatencyBuckets[b]) + "\"", std::to_string(cumulative));
    }
    cumulative += h.buckets.back().load(kRelaxed);
    sample(out, "driftgate_admission_duration_seconds_bucket", handler + ",le=\"+Inf\"", std::to_string(cumulative));
    sample(out, "driftgate_admission_duration_seconds_sum", handler,
           format_double(static_cast<double>(h.sum_nanos.load(kRelaxed)) / 1e9));
    sample(out, "driftgate_admission_duration_seconds_count", handler, std::to_string(h.count.load(kRelaxed)));
  }

  header(out, "driftgate_policy_generation", "gauge",
         "Generation of the serving policy set: 1 after the first load, +1 per successful reload.");
  sample(out, "driftgate_policy_generation", "", std::to_string(policy_generation_.load(kRelaxed)));
  header(out, "driftgate_policies_loaded", "gauge", "Policies in the serving set.");
  sample(out, "driftgate_policies_loaded", "", std::to_string(policies_loaded_.load(kRelaxed)));
  header(out, "driftgate_policy_last_reload_success_timestamp_seconds", "gauge",
         "Unix time the serving policy set was loaded.");
  sample(out, "driftgate_policy_last_reload_success_timestamp_seconds", "",
         std::to_string(policy_last_success_unix_.load(kRelaxed)));
  header(out, "driftgate_policy_reloads_total", "counter",
         "Policy set load attempts by result; a failure keeps the last good set serving.");
  sample(out, "driftgate_policy_reloads_total", "result=\"success\"",
         std::to_string(policy_reload_successes_.load(kRelaxed)));
  sample(out, "driftgate_policy_reloads_total", "result=\"failure\"",
         std::to_string(policy_reload_failures_.load(kRelaxed)));
  header(out, "driftgate_policy_reload_errors_total", "counter", "Failed policy set load attempts.");
  sample(out, "driftgate_policy_reload_errors_total", "", std::to_string(policy_reload_failures_.load(kRelaxed)));
  header(out, "driftgate_policy_reload_consecutive_failures", "gauge",
         "Failed policy set load attempts since the serving set loaded (failedAttempts in /readyz?verbose); "
         "0 once a set loads or the files are back to the serving set.");
  sample(out, "driftgate_policy_reload_consecutive_failures", "",
         std::to_string(policy_failed_attempts_ ? policy_failed_attempts_() : 0));

  header(out, "driftgate_tls_certificate_expiry_timestamp_seconds", "gauge",
         "notAfter of the serving certificate, Unix seconds.");
  sample(out, "driftgate_tls_certificate_expiry_timestamp_seconds", "",
         std::to_string(certificate_not_after_unix_.load(kRelaxed)));
  header(out, "driftgate_tls_certificate_reloads_total", "counter",
         "Certificate/key reload attempts by result; a failure keeps the previous certificate.");
  sample(out, "driftgate_tls_certificate_reloads_total", "result=\"success\"",
         std::to_string(certificate_reload_successes_.load(kRelaxed)));
  sample(out, "driftgate_tls_certificate_reloads_total", "result=\"failure\"",
         std::to_string(certificate_reload_failures_.load(kRelaxed)));
  header(out, "driftgate_tls_certificate_reload_consecutive_failures", "gauge",
         "Failed certificate reload attempts since the serving certificate loaded (failedAttempts in "
         "/readyz?verbose); 0 once a certificate loads or the files are back to the serving one.");
  sample(out, "driftgate_tls_certificate_reload_consecutive_failures", "",
         std::to_string(certificate_failed_attempts_ ? certificate_failed_attempts_() : 0));
  header(out, "driftgate_tls_handshake_failures_total", "counter",
         "TLS handshakes that failed (no or untrusted client certificate, protocol garbage, timeouts).");
  sample(out, "driftgate_tls_handshake_failures_total", "", std::to_string(handshake_failures_.load(kRelaxed)));

  header(out, "driftgate_open_connections", "gauge", "Open client connections.");
  sample(out, "driftgate_open_connections", "", std::to_string(open_connections_.load(kRelaxed)));
  header(out, "driftgate_connections_total", "counter", "Accepted client connections.");
  sample(out, "driftgate_connections_total", "", std::to_string(connections_total_.load(kRelaxed)));
  header(out, "driftgate_connections_rejected_total", "counter",
         "Connections closed at accept because --max-connections were open.");
  sample(out, "driftgate_connections_rejected_total", "", std::to_string(connections_rejected_.load(kRelaxed)));
  header(out, "driftgate_connection_timeouts_total", "counter",
         "Connections closed by a timeout, by phase (handshake, header, body, idle, write).");
  static constexpr std::array<std::string_view, kTimeoutPhaseCount> kPhases = {"handshake", "header", "body", "idle",
                                                                               "write"};
  for (std::size_t p = 0; p < kTimeoutPhaseCount; ++p)
    sample(out, "driftgate_connection_timeouts_total", "phase=\"" + std::string(kPhases[p]) + "\"",
           std::to_string(timeouts_[p].load(kRelaxed)));

  header(out, "driftgate_scale_guard_enabled", "gauge",
         "1 when /scale writes are judged by their parent (--scale-guard, docs/subresources.md), 0 when off.");
  sample(out, "driftgate_scale_guard_enabled", "", scale_guard_stats_ ? "1" : "0");
  std::size_t scale_policies = 0;
  if (const auto set = serving_policies_ ? serving_policies_() : nullptr)
    scale_policies = static_cast<std::size_t>(
        std::count_if(set->policies().begin(), set->policies().end(), admission::judges_scale));
  header(out, "driftgate_scale_guard_policies", "gauge",
         "Policies of the serving set that judge /scale writes by their parent, whether the guard is on or off.");
  sample(out, "driftgate_scale_guard_policies", "", std::to_string(scale_policies));
  if (scale_guard_stats_) {
    const ScaleGuardStats s = scale_guard_stats_();
    header(out, "driftgate_scale_guard_synced", "gauge", "1 once every watched scalable resource has listed once.");
    sample(out, "driftgate_scale_guard_synced", "", s.synced ? "1" : "0");
    header(out, "driftgate_scale_guard_watched_resources", "gauge", "Scalable resources listed and watched.");
    sample(out, "driftgate_scale_guard_watched_resources", "", std::to_string(s.resources));
    header(out, "driftgate_scale_guard_objects_cached", "gauge", "Objects whose metadata the watch cache holds.");
    sample(out, "driftgate_scale_guard_objects_cached", "", std::to_string(s.objects));
    header(out, "driftgate_scale_guard_watch_restarts_total", "counter",
           "Watches reopened from the last resourceVersion after the server ended or dropped one.");
    sample(out, "driftgate_scale_guard_watch_restarts_total", "", std::to_string(s.watch_restarts));
    header(out, "driftgate_scale_guard_relists_total", "counter",
           "LISTs after the first (410 Gone: the resourceVersion left etcd's history; or a failed watch).");
    sample(out, "driftgate_scale_guard_relists_total", "", std::to_string(s.relists));
    header(out, "driftgate_scale_guard_watch_errors_total", "counter", "Failed LISTs and watches (retried with backoff).");
    sample(out, "driftgate_scale_guard_watch_errors_total", "", std::to_string(s.watch_errors));
    header(out, "driftgate_scale_guard_lookups_total", "counter",
           "Parent lookups of /scale reviews by result: cache_hit, get (a miss answered by a GET), failure "
           "(decided by --lookup-failure).");
    sample(out, "driftgate_scale_guard_lookups_total", "result=\"cache_hit\"", std::to_string(s.cache_hits));
    sample(out, "driftgate_scale_guard_lookups_total", "result=\"get\"", std::to_string(s.gets));
    sample(out, "driftgate_scale_guard_lookups_total", "result=\"failure\"", std::to_string(s.failures));
  }
  return out;
}

}  // namespace driftgate::server
