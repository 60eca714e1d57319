#pragma once
// Process-wide counters and gauges, rendered in the Prometheus text format.
// Hot-path updates are relaxed atomics; only per-policy counters, whose label
// set is open-ended, take a mutex.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "engine/decision.h"
#include "server/route.h"

namespace driftgate::policy {
class PolicySet;  // policy/policy.h
}

namespace driftgate::server {

struct ScaleGuardStats;  // server/scale_guard.h

// Why a connection was cut off by the server, for driftgate_connection_timeouts_total.
enum class TimeoutPhase : std::uint8_t { Handshake, Header, Body, Idle, Write };
inline constexpr std::size_t kTimeoutPhaseCount = 5;

class Metrics {
 public:
  // Upper bounds of the latency histogram: from 50 µs (a fast decision) to 10 s
  // (the API server's default webhook timeout), so both show.
  static constexpr std::array<double, 17> kLatencyBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,    0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0};

  void count_response(Route route, int status);
  // One admission review answered on /validate or /mutate. `decision` is null
  // when the body was not a review (400).
  void observe_admission(Route route, std::chrono::nanoseconds latency, const engine::Decision* decision);

  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); connections_total_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void connection_rejected() { connections_rejected_.fetch_add(1, std::memory_order_relaxed); }
  void handshake_failed() { handshake_failures_.fetch_add(1, std::memory_order_relaxed); }
  void timed_out(TimeoutPhase phase) { timeouts_[static_cast<std::size_t>(phase)].fetch_add(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  void policy_reload_succeeded(std::uint64_t generation, std::size_t policies, std::int64_t unix_time);
  void policy_reload_failed() { policy_reload_failures_.fetch_add(1, std::memory_order_relaxed); }
  void certificate_loaded(std::int64_t not_after_unix, bool is_reload);
  void certificate_reload_failed() { certificate_reload_failures_.fetch_add(1, std::memory_order_relaxed); }

  // driftgate_policy_reload_consecutive_failures and
  // driftgate_tls_certificate_reload_consecutive_failures are read from the stores
  // when rendered: their failedAttempts, the number /readyz?verbose shows (reset by a
  // successful load and by files reverted to what serves), so the two never disagree.
  // Call once, before serving; the stores must outlive every render(). Unset: 0.
  template <class PolicyStoreT, class TlsStoreT>
  void watch_reload_failures(const PolicyStoreT& policies, const TlsStoreT& tls) {
    policy_failed_attempts_ = [&policies] { return std::uint64_t{policies.status().failed_attempts}; };
    certificate_failed_attempts_ = [&tls] { return std::uint64_t{tls.status().failed_attempts}; };
  }

  // The /scale guard's cache and lookups (driftgate_scale_guard_*), read when
  // rendered. Unset (the guard is off): driftgate_scale_guard_enabled 0, and of the others only
  // driftgate_scale_guard_policies (below).
  void watch_scale_guard(std::function<ScaleGuardStats()> stats) { scale_guard_stats_ = std::move(stats); }
  // driftgate_scale_guard_policies: the policies of the serving set that judge a
  // /scale write by its parent (admission::judges_scale), counted when rendered,
  // whether the guard is on or off, so that "off while a policy needs it" is one
  // PromQL expression (the DriftgateScaleGuardOff alert). Unset or no set: 0.
  void watch_scale_policies(std::function<std::shared_ptr<const policy::PolicySet>()> current) {
    serving_policies_ = std::move(current);
  }

  std::string render() const;

 private:
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_nanos{0};
  };
  // Status codes the server produces, so a response counter is one array slot.
  static constexpr std::array<int, 12> kStatuses = {200, 400, 404, 405, 408, 413, 415, 431, 500, 503, 505, 0};
  enum Outcome : std::size_t { kAllowed, kDenied, kPatched, kUnchanged, kInvalid, kOutcomeCount };

  std::array<std::array<std::atomic<std::uint64_t>, kStatuses.size()>, kRouteCount> responses_{};
  std::array<std::array<std::atomic<std::uint64_t>, kOutcomeCount>, 2> reviews_{};  // [validate|mutate]
  std::array<Histogram, 2> latency_{};

  // (route, policy name, result). Looked up by a string_view key, so counting a key
  // seen before allocates nothing. An explicit comparator rather than std::less<>:
  // comparing tuples of different element types does not compile with clang 14
  // against libstdc++ 12 (the fuzz build).
  using PolicyResultKey = std::tuple<Route, std::string, std::string_view>;
  using PolicyResultView = std::tuple<Route, std::string_view, std::string_view>;
  struct PolicyResultOrder {
    using is_transparent = void;
    static PolicyResultView view(const PolicyResultKey& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
    static const PolicyResultView& view(const PolicyResultView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const { return view(a) < view(b); }
  };
  mutable std::mutex policy_mutex_;
  std::map<PolicyResultKey, std::uint64_t, PolicyResultOrder> policy_results_;

  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> connections_total_{0};
  std::atomic<std::uint64_t> connections_rejected_{0};
  std::atomic<std::uint64_t> handshake_failures_{0};
  std::array<std::atomic<std::uint64_t>, kTimeoutPhaseCount> timeouts_{};

  std::atomic<std::uint64_t> policy_generation_{0};
  std::atomic<std::uint64_t> policies_loaded_{0};
  std::atomic<std::int64_t> policy_last_success_unix_{0};
  std::atomic<std::uint64_t> policy_reload_successes_{0};
  std::atomic<std::uint64_t> policy_reload_failures_{0};
  std::atomic<std::int64_t> certificate_not_after_unix_{0};
  std::atomic<std::uint64_t> certificate_reload_successes_{0};
  std::atomic<std::uint64_t> certificate_reload_failures_{0};
  std::function<std::uint64_t()> policy_failed_attempts_;
  std::function<std::uint64_t()> certificate_failed_attempts_;
  std::function<ScaleGuardStats()> scale_guard_stats_;
  std::function<std::shared_ptr<const policy::PolicySet>()> serving_policies_;
};

}  // namespace driftgate::server
