// Server pieces that need no socket: the audit sink under concurrent writers,
// the per-policy metrics and the reload-failure gauges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "json/parse.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "server/audit_sink.h"
#include "server/certificate_expiry.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/reloader.h"
#include "server/router.h"
#include "server/tls_context.h"

namespace driftgate::server {
namespace {

// Line `i` of writer `t`: its own header, then a body whose length varies from
// a few bytes to three times PIPE_BUF, the most a pipe writes in one piece.
std::string line_of(int t, int i) {
  std::size_t body = (static_cast<std::size_t>(i) * 977) % (3 * PIPE_BUF);
  std::string line = "w";  // built by appends: `"w" + std::to_string(t)` trips GCC 12's -Wrestrict at -O3
  line.append(std::to_string(t)).append("-").append(std::to_string(i)).append(":");
  return line.append(body, static_cast<char>('a' + t));
}

// Writes kWriters x kLines lines from concurrent threads.
constexpr int kWriters = 4;
constexpr int kLines = 1500;
void write_concurrently(AuditSink& sink) {
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t)
    writers.emplace_back([&sink, t] {
      for (int i = 0; i < kLines; ++i) sink.write_line(line_of(t, i));
    });
  for (auto& w : writers) w.join();
}

// Every line is whole and present exactly once.
void expect_every_line_once(std::istream& in) {
  std::map<std::string, int> seen;
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    ++count;
    ++seen[line];
  }
  EXPECT_EQ(count, kWriters * kLines);
  for (int t = 0; t < kWriters; ++t)
    for (int i = 0; i < kLines; ++i) {
      auto it = seen.find(line_of(t, i));
      ASSERT_NE(it, seen.end()) << "missing or torn: line " << i << " of writer " << t;
      EXPECT_EQ(it->second, 1);
    }
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid()));
}

TEST(AuditSink, ConcurrentWritersToAFileNeverTearOrLoseALine) {
  auto path = temp_file("driftgate-audit-file");
  std::filesystem::remove(path);
  {
    auto sink = AuditSink::open(path.string());
    ASSERT_TRUE(sink.ok()) << sink.error();
    write_concurrently(**sink);
  }
  std::ifstream in(path);
  expect_every_line_once(in);
  std::filesystem::remove(path);
}

TEST(AuditSink, ConcurrentWritersToAPipeNeverTearOrLoseALine) {
  // A pipe splits writes over PIPE_BUF and lets another writer in between the
  // pieces, so the sink must serialise lines itself. The reader starts late, so
  // the pipe fills and writers block mid-line, where a split happens.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string received;
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    char buffer[65536];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) received.append(buffer, static_cast<std::size_t>(n));
  });
  {
    auto sink = AuditSink::open("/proc/self/fd/" + std::to_string(fds[1]));
    ASSERT_TRUE(sink.ok()) << sink.error();
    write_concurrently(**sink);
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  std::istringstream in(received);
  expect_every_line_once(in);
}

TEST(AuditSink, UnwritablePathIsAClearError) {
  auto sink = AuditSink::open("/nonexistent-dir/audit.log");
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().find("--audit-log /nonexistent-dir/audit.log"), std::string::npos) << sink.error();
}

engine::Violation violation(std::string policy, policy::Mode mode, bool bypassed = false) {
  engine::Violation v;
  v.policy = std::move(policy);
  v.mode = mode;
  v.bypassed = bypassed;
  return v;
}

TEST(Metrics, PolicyResultsCountEachPolicyOncePerReviewByItsStrongestEffect) {
  Metrics metrics;
  engine::Decision denied;
  denied.allowed = false;
  denied.matched_policies = {"gitops-ownership", "image-pinning"};
  denied.violations = {violation("gitops-ownership", policy::Mode::Enforce),
                       violation("image-pinning", policy::Mode::Warn),
                       violation("image-pinning", policy::Mode::Warn)};
  engine::Decision allowed;
  allowed.matched_policies = {"gitops-ownership", "image-pinning"};
  // A violation of a policy not listed as matched is still counted.
  allowed.violations = {violation("gitops-ownership", policy::Mode::Enforce, /*bypassed=*/true),
                        violation("pdb-exclusive", policy::Mode::Audit)};

  for (int i = 0; i < 3; ++i) metrics.observe_admission(Route::Validate, std::chrono::microseconds(20), &denied);
  metrics.observe_admission(Route::Validate, std::chrono::microseconds(20), &allowed);
  metrics.observe_admission(Route::Mutate, std::chrono::microseconds(20), &allowed);
  metrics.observe_admission(Route::Validate, std::chrono::microseconds(20), nullptr);  // a 400: no policy ran

  const std::string text = metrics.render();
  auto sample = [](std::string endpoint, std::string policy, std::string result) {
    return "driftgate_policy_results_total{handler=\"" + endpoint + "\",policy=\"" + policy + "\",result=\"" +
           result + "\"} ";
  };
  auto value_of = [&](const std::string& prefix) -> std::string {
    auto at = text.find(prefix);
    if (at == std::string::npos) return "absent";
    at += prefix.size();
    return text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_EQ(value_of(sample("validate", "gitops-ownership", "deny")), "3");
  EXPECT_EQ(value_of(sample("validate", "image-pinning", "warn")), "3");
  EXPECT_EQ(value_of(sample("validate", "gitops-ownership", "bypassed")), "1");
  EXPECT_EQ(value_of(sample("validate", "image-pinning", "pass")), "1");
  EXPECT_EQ(value_of(sample("validate", "pdb-exclusive", "audit")), "1");
  EXPECT_EQ(value_of(sample("mutate", "gitops-ownership", "bypassed")), "1");
  EXPECT_EQ(value_of(sample("mutate", "gitops-ownership", "deny")), "absent");
  // One sample per (endpoint, policy, result): a key seen before is found, not added again.
  std::size_t samples = 0;
  for (std::size_t at = 0; (at = text.find("\ndriftgate_policy_results_total{", at)) != std::string::npos; ++at) ++samples;
  EXPECT_EQ(samples, 8u);
}

// The value of an unlabelled sample in the rendered text, or "absent".
std::string gauge(const std::string& text, const std::string& name) {
  const std::string prefix = "\n" + name + " ";
  auto at = text.find(prefix);
  if (at == std::string::npos) return "absent";
  at += prefix.size();
  return text.substr(at, text.find('\n', at) - at);
}

// driftgate_policy_reload_consecutive_failures is what the alert on a failing reload
// reads (deploy/components/monitoring): it counts the failed attempts while the files
// on disk do not load, is the failedAttempts of /readyz?verbose, and goes back to 0 by
// itself both when a fixed set loads and when the broken edit is reverted, while the
// _total counters only grow. Driven through the real Reloader, on a temporary folder.
TEST(Metrics, PolicyReloadConsecutiveFailuresFollowFailedAttemptsAndResetOnRecovery) {
  namespace fs = std::filesystem;
  const fs::path dir = temp_file("driftgate-reload-gauge");
  fs::remove_all(dir);
  fs::create_directories(dir / "policies");
  const std::string good =
      "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: gauge-test\nspec:\n"
      "  match:\n    operations: [CREATE]\n    kinds: [ConfigMap]\n  rules:\n    - name: stamp\n"
      "      mutate:\n        patch:\n          - {op: add, path: /metadata/labels/stamped, value: \"yes\"}\n";
  auto write_policy = [&](const std::string& text) { std::ofstream(dir / "policies/p.yaml") << text; };
  write_policy(good);

  Options options;
  options.policies_dir = dir / "policies";
  auto sink = AuditSink::open((dir / "audit.log").string());
  ASSERT_TRUE(sink.ok()) << sink.error();
  Metrics metrics;
  PolicyStore policies;
  TlsContextStore tls;
  metrics.watch_reload_failures(policies, tls);  // as serve_command does
  Reloader reloader(options, policies, tls, metrics, **sink);
  auto render = [&] { return metrics.render(); };

  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "0");
  reloader.load_policies_now();
  ASSERT_EQ(policies.status().generation, 1u);
  EXPECT_EQ(gauge(render(), "driftgate_policies_loaded"), "1");
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "0");

  // Broken: each attempt counts, the last good set keeps serving.
  write_policy(good + "  nonsense: true\n");
  for (int i = 0; i < 3; ++i) reloader.load_policies_now();
  EXPECT_EQ(policies.status().failed_attempts, 3u);
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "3");
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_errors_total"), "3");
  EXPECT_EQ(gauge(render(), "driftgate_policies_loaded"), "1");

  // Reverted to what serves: back to 0 without a new generation.
  write_policy(good);
  reloader.load_policies_now();
  EXPECT_EQ(policies.status().generation, 1u);
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "0");
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_errors_total"), "3");

  // Broken again, then fixed with different contents: a new generation, back to 0.
  write_policy("apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: [broken\n");
  reloader.load_policies_now();
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "1");
  write_policy(good + "# fixed\n");
  reloader.load_policies_now();
  EXPECT_EQ(policies.status().generation, 2u);
  EXPECT_EQ(policies.status().failed_attempts, 0u);
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_consecutive_failures"), "0");
  EXPECT_EQ(gauge(render(), "driftgate_policy_reload_errors_total"), "4");

  // The certificate's gauge reads its store the same way. (A braced error compiles
  // whether record_failure takes one error or a list of them.)
  EXPECT_EQ(gauge(render(), "driftgate_tls_certificate_reload_consecutive_failures"), "0");
  const TimePoint at = std::chrono::time_point_cast<std::chrono::nanoseconds>(Clock::now());
  tls.record_failure({"key does not match the certificate"}, at);
  tls.record_failure({"key does not match the certificate"}, at);
  EXPECT_EQ(gauge(render(), "driftgate_tls_certificate_reload_consecutive_failures"), "2");
  tls.clear_failure();
  EXPECT_EQ(gauge(render(), "driftgate_tls_certificate_reload_consecutive_failures"), "0");
  fs::remove_all(dir);
}

TEST(Metrics, ReloadFailureGaugesReadZeroWhenNotWatching) {
  Metrics metrics;
  EXPECT_EQ(gauge(metrics.render(), "driftgate_policy_reload_consecutive_failures"), "0");
  EXPECT_EQ(gauge(metrics.render(), "driftgate_tls_certificate_reload_consecutive_failures"), "0");
}

// What DriftgateScaleGuardOff reads: the serving set's policies that judge /scale,
// counted at each render, so a reload changes it and a guard that is off still shows it.
TEST(Metrics, ScaleGuardPoliciesCountsTheServingSetsPoliciesThatJudgeAScale) {
  const std::string head = "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: ";
  const std::string frozen = head + "owned}\nspec:\n  match: {operations: [UPDATE], kinds: [apps/Deployment]}\n"
                                    "  rules:\n    - {name: no-edits, frozen: {}}\n";
  const std::string replicas = head + "replicas}\nspec:\n  match: {operations: [CREATE, UPDATE], kinds: [apps/Deployment]}\n"
                                      "  rules:\n    - {name: cap, pattern: {path: spec.replicas, regex: \"^[0-9]$\"}}\n";
  const std::string labels = head + "labels}\nspec:\n  match: {operations: [UPDATE], kinds: [ConfigMap]}\n"
                                    "  rules:\n    - {name: r, pattern: {path: metadata.labels.team, regex: x}}\n";
  auto load = [](const std::vector<policy::SourceFile>& files) {
    auto loaded = policy::load_sources(files);
    EXPECT_TRUE(loaded.ok()) << loaded.error_text();
    return loaded.set;
  };
  Metrics metrics;
  EXPECT_EQ(gauge(metrics.render(), "driftgate_scale_guard_policies"), "0") << "not watching";
  std::shared_ptr<const policy::PolicySet> serving;
  metrics.watch_scale_policies([&serving] { return serving; });
  EXPECT_EQ(gauge(metrics.render(), "driftgate_scale_guard_policies"), "0") << "no set loaded";
  serving = load({{"a.yaml", frozen}, {"b.yaml", replicas}, {"c.yaml", labels}});
  EXPECT_EQ(gauge(metrics.render(), "driftgate_scale_guard_policies"), "2") << "frozen and a rule reading spec.replicas";
  EXPECT_EQ(gauge(metrics.render(), "driftgate_scale_guard_enabled"), "0") << "the guard is off: both series are there";
  serving = load({{"c.yaml", labels}});
  EXPECT_EQ(gauge(metrics.render(), "driftgate_scale_guard_policies"), "0") << "a reload is seen at the next render";
}

TEST(CertificateExpiry, ValidExpiringExpiredAtTheirBoundaries) {
  using namespace std::chrono;
  const TimePoint not_after = from_unix_seconds(1'800'000'000);
  const auto week = hours(7 * 24);
  EXPECT_EQ(classify_expiry(not_after, not_after - week - seconds(1), week), CertificateExpiry::Valid);
  EXPECT_EQ(classify_expiry(not_after, not_after - week, week), CertificateExpiry::Valid);
  EXPECT_EQ(classify_expiry(not_after, not_after - week + seconds(1), week), CertificateExpiry::Expiring);
  EXPECT_EQ(classify_expiry(not_after, not_after - seconds(1), week), CertificateExpiry::Expiring);
  EXPECT_EQ(classify_expiry(not_after, not_after, week), CertificateExpiry::Expired);
  EXPECT_EQ(classify_expiry(not_after, not_after + hours(1000), week), CertificateExpiry::Expired);
}

TEST(CertificateExpiry, ANotAfterBeyondTheYear2262IsFarAwayNotOverflowed) {
  // 9999-12-31T23:59:59Z, RFC 5280's date for "no well-defined expiration".
  const TimePoint not_after = from_unix_seconds(253'402'300'799);
  const TimePoint now = from_unix_seconds(1'800'000'000);
  EXPECT_GT(not_after, now);
  EXPECT_EQ(classify_expiry(not_after, now, std::chrono::hours(7 * 24)), CertificateExpiry::Valid);
  EXPECT_LT(from_unix_seconds(-253'402'300'799), now);
}

TEST(CertificateExpiry, ReminderOnEveryChangeAndHourlyWhileNotValid) {
  using namespace std::chrono;
  ExpiryReminder reminder(hours(1));
  ExpiryReminder::Instant t{};
  EXPECT_TRUE(reminder.due(CertificateExpiry::Valid, t));  // the first look is a change
  EXPECT_FALSE(reminder.due(CertificateExpiry::Valid, t + hours(5)));  // a valid certificate is never repeated
  t += hours(5);
  EXPECT_TRUE(reminder.due(CertificateExpiry::Expiring, t));
  EXPECT_FALSE(reminder.due(CertificateExpiry::Expiring, t + seconds(5)));
  EXPECT_FALSE(reminder.due(CertificateExpiry::Expiring, t + minutes(59)));
  EXPECT_TRUE(reminder.due(CertificateExpiry::Expiring, t + hours(1)));
  EXPECT_FALSE(reminder.due(CertificateExpiry::Expiring, t + hours(1) + seconds(5)));  // counted from the last reminder
  EXPECT_TRUE(reminder.due(CertificateExpiry::Expired, t + hours(1) + seconds(10)));  // a change is told at once
  EXPECT_TRUE(reminder.due(CertificateExpiry::Expired, t + hours(2) + seconds(10)));
  EXPECT_TRUE(reminder.due(CertificateExpiry::Valid, t + hours(2) + seconds(15)));  // renewed
  EXPECT_FALSE(reminder.due(CertificateExpiry::Valid, t + hours(9)));
}

// Several errors of one reload attempt stay several: one element each, none ending
// in a newline, in the policy_reload_failed event (`errors`) and in /readyz?verbose
// (`lastErrors`, with `lastError` the first). Before, they were one string joined
// and ended by newlines.
TEST(Router, ReloadErrorsAreAListInTheEventAndInReadyzVerbose) {
  namespace fs = std::filesystem;
  const fs::path dir = temp_file("driftgate-reload-errors");
  fs::remove_all(dir);
  fs::create_directories(dir / "policies");
  const std::string rules = "  rules:\n    - {name: r, pattern: {path: data.x, regex: x}}\n";
  std::ofstream(dir / "policies/a.yaml") << "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: a}\n"
                                            "spec:\n  mode: Enforse\n" << rules;
  std::ofstream(dir / "policies/b.yaml") << "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: b}\n"
                                            "spec:\n  nonsense: true\n" << rules;
  Options options;
  options.policies_dir = dir / "policies";
  auto sink = AuditSink::open((dir / "audit.log").string());
  ASSERT_TRUE(sink.ok()) << sink.error();
  Metrics metrics;
  PolicyStore policies;
  TlsContextStore tls;
  Reloader reloader(options, policies, tls, metrics, **sink);
  reloader.load_policies_now();

  std::ifstream log(dir / "audit.log");
  std::string line;
  std::getline(log, line);
  auto event = json::parse(line);
  ASSERT_TRUE(event.ok()) << event.error() << "\n" << line;
  EXPECT_EQ(event->root.string_at("event"), "policy_reload_failed") << line;
  const json::Value* errors = event->root.find("errors");
  ASSERT_TRUE(errors && errors->is_array()) << line;
  ASSERT_EQ(errors->items().size(), 2u) << line;
  EXPECT_EQ(errors->items()[0].as_string().find((dir / "policies/a.yaml").string() + ":5:9: policy \"a\": spec.mode"),
            0u) << line;
  EXPECT_EQ(errors->items()[1].as_string().find((dir / "policies/b.yaml").string() + ":5:3: policy \"b\": spec:"), 0u)
      << line;
  const std::string_view message = event->root.string_at("message");
  EXPECT_TRUE(message.starts_with("policy set not loaded; not ready: " + (dir / "policies/a.yaml").string())) << line;
  EXPECT_TRUE(message.ends_with(" (and 1 more error)")) << line;
  for (const json::Value& error : errors->items()) EXPECT_FALSE(error.as_string().ends_with("\n")) << line;

  Router router(options, metrics, policies, tls, **sink);
  const RequestHead verbose{"GET", "/readyz?verbose", "", std::nullopt};
  auto response = router.handle(verbose, "");
  EXPECT_EQ(response.status, 503);
  auto body = json::parse(response.body);
  ASSERT_TRUE(body.ok()) << body.error() << "\n" << response.body;
  const json::Value* status = body->root.find("policies");
  ASSERT_NE(status, nullptr) << response.body;
  const json::Value* last_errors = status->find("lastErrors");
  ASSERT_TRUE(last_errors && last_errors->is_array()) << response.body;
  ASSERT_EQ(last_errors->items().size(), 2u) << response.body;
  EXPECT_EQ(last_errors->items()[0].as_string(), errors->items()[0].as_string());
  EXPECT_EQ(last_errors->items()[1].as_string(), errors->items()[1].as_string());
  EXPECT_EQ(status->string_at("lastError"), errors->items()[0].as_string()) << response.body;
  const json::Value* certificate = body->root.find("certificate");
  ASSERT_NE(certificate, nullptr) << response.body;
  EXPECT_TRUE(certificate->find("lastError") && certificate->find("lastError")->is_null()) << response.body;
  EXPECT_TRUE(certificate->find("lastErrors") && certificate->find("lastErrors")->items().empty()) << response.body;

  // A success clears both.
  fs::remove(dir / "policies/b.yaml");
  std::ofstream(dir / "policies/a.yaml") << "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: a}\n"
                                            "spec:\n" << rules;
  reloader.load_policies_now();
  body = json::parse(router.handle(verbose, "").body);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body->root.find("policies")->find("lastError")->is_null());
  EXPECT_TRUE(body->root.find("policies")->find("lastErrors")->items().empty());
  fs::remove_all(dir);
}

// Regression (issue 13): a set without policies (an empty ConfigMap, every policy
// under a typo'd apiVersion) was installed at info level, and the server allowed
// everything while ready. It is treated like a broken set: at start the server
// stays unready and says why; a reload to it keeps the last good set serving.
TEST(Reloader, ASetWithoutPoliciesIsNeverServed) {
  namespace fs = std::filesystem;
  const fs::path dir = temp_file("driftgate-empty-set");
  fs::remove_all(dir);
  fs::create_directories(dir / "policies");
  std::ofstream(dir / "policies/kustomization.yaml") << "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
  Options options;
  options.policies_dir = dir / "policies";
  auto sink = AuditSink::open((dir / "audit.log").string());
  ASSERT_TRUE(sink.ok()) << sink.error();
  Metrics metrics;
  PolicyStore policies;
  TlsContextStore tls;
  metrics.watch_reload_failures(policies, tls);
  Reloader reloader(options, policies, tls, metrics, **sink);
  Router router(options, metrics, policies, tls, **sink);
  const RequestHead verbose{"GET", "/readyz?verbose", "", std::nullopt};
  auto last_event = [&] {
    std::ifstream log(dir / "audit.log");
    std::string line, last;
    while (std::getline(log, line)) last = line;
    return last;
  };

  reloader.load_policies_now();
  EXPECT_EQ(policies.current(), nullptr);
  std::string event = last_event();
  EXPECT_NE(event.find("\"level\":\"error\",\"event\":\"policy_reload_failed\""), std::string::npos) << event;
  EXPECT_NE(event.find("not ready: " + options.policies_dir.string() + ": no policies in 1 file"), std::string::npos)
      << event;
  auto response = router.handle(verbose, "");
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_NE(response.body.find("\"lastError\":\"" + options.policies_dir.string() + ": no policies in 1 file"),
            std::string::npos)
      << response.body;
  EXPECT_EQ(gauge(metrics.render(), "driftgate_policies_loaded"), "0");

  // A good set loads; a reload to an empty one keeps it serving, loudly.
  std::ofstream(dir / "policies/p.yaml") << "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\n"
                                            "spec:\n  rules:\n    - {name: r, forbid: [spec.x]}\n";
  reloader.load_policies_now();
  ASSERT_NE(policies.current(), nullptr);
  EXPECT_EQ(policies.status().generation, 1u);
  fs::remove(dir / "policies/p.yaml");
  reloader.load_policies_now();
  ASSERT_NE(policies.current(), nullptr);
  EXPECT_EQ(policies.current()->policies().size(), 1u);
  EXPECT_EQ(policies.status().generation, 1u);
  EXPECT_EQ(policies.status().failed_attempts, 1u);
  event = last_event();
  EXPECT_NE(event.find("the previous set keeps serving: " + options.policies_dir.string() + ": no policies"),
            std::string::npos)
      << event;
  EXPECT_EQ(router.handle(verbose, "").status, 200);
  EXPECT_EQ(gauge(metrics.render(), "driftgate_policy_reload_consecutive_failures"), "1");
  EXPECT_EQ(gauge(metrics.render(), "driftgate_policies_loaded"), "1");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace driftgate::server
