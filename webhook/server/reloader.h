#pragma once
// Watches the policy directory and the certificate files, and swaps in a new
// PolicySet or TLS context when their contents change. Runs on its own thread
// so parsing YAML or keys never delays a request.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "audit/audit.h"
#include "server/audit_sink.h"
#include "server/certificate_expiry.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/policy_store.h"
#include "server/tls_context.h"

namespace driftgate::server {

class Reloader {
 public:
  Reloader(const Options& options, PolicyStore& policies, TlsContextStore& tls, Metrics& metrics, AuditSink& audit);
  ~Reloader() { stop(); }
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // The first load, before serving. A certificate that cannot be loaded is
  // fatal (nothing could be served); a broken policy set is not: the server
  // starts unready and keeps trying. An expired certificate is served, loudly:
  // there is nothing better to serve, and new files are picked up without a
  // restart (a crash loop would only add back-off delay to the recovery).
  Result<std::uint64_t> load_initial_certificate();
  void load_policies_now() { reload_policies(); }

  // Checks every --reload-interval until stop().
  void start();
  void stop();

 private:
  void run(std::stop_token stop);
  void reload_policies();
  void reload_certificate();
  // Logs certificate_expiring (warn) or certificate_expired (error) when due.
  void check_certificate_expiry();
  void install_certificate(TlsContext built, std::uint64_t fingerprint, bool is_reload);
  void log(std::string_view level, std::string_view event, std::string_view message, const audit::EventFields& fields);

  const Options& options_;
  TlsFiles tls_files_;
  PolicyStore& policies_;
  TlsContextStore& tls_;
  Metrics& metrics_;
  AuditSink& audit_;
  std::uint64_t serving_policy_fingerprint_ = 0;
  bool have_policies_ = false;
  ExpiryReminder expiry_reminder_;

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace driftgate::server
