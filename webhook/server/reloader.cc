#include "server/reloader.h"

#include "audit/audit.h"
#include "policy/loader.h"
#include "server/content_hash.h"

namespace driftgate::server {
namespace {

TimePoint now() { return std::chrono::time_point_cast<std::chrono::nanoseconds>(Clock::now()); }

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The message of a failed reload: the first error, and how many more the event's
// `errors` field lists (one element each, so a log reader need not split lines).
std::string first_error_of(const std::vector<std::string>& errors) {
  std::string out = errors.empty() ? std::string("unknown error") : errors.front();
  if (errors.size() > 1) {
    const std::size_t more = errors.size() - 1;
    out.append(" (and ").append(std::to_string(more)).append(more == 1 ? " more error)" : " more errors)");
  }
  return out;
}

}  // namespace

Reloader::Reloader(const Options& options, PolicyStore& policies, TlsContextStore& tls, Metrics& metrics,
                   AuditSink& audit)
    : options_(options),
      tls_files_{options.tls_cert, options.tls_key, options.client_ca},
      policies_(policies),
      tls_(tls),
      metrics_(metrics),
      audit_(audit) {}

void Reloader::log(std::string_view level, std::string_view event, std::string_view message,
                   const audit::EventFields& fields) {
  audit_.write_line(audit::event_line(now(), level, event, message, fields));
}

Result<std::uint64_t> Reloader::load_initial_certificate() {
  auto material = read_tls_material(tls_files_);
  if (!material) return Error{material.error()};
  auto built = build_tls_context(*material, tls_files_);
  if (!built) return Error{built.error()};
  install_certificate(std::move(*built), material->fingerprint, false);
  check_certificate_expiry();
  return material->fingerprint;
}

void Reloader::install_certificate(TlsContext built, std::uint64_t fingerprint, bool is_reload) {
  metrics_.certificate_loaded(built.not_after_unix, is_reload);
  audit::EventFields fields;
  fields.add("subject", built.subject).add("notAfter", format_rfc3339(from_unix_seconds(built.not_after_unix)));
  tls_.install(std::move(built), fingerprint, now());
  expiry_reminder_ = ExpiryReminder();  // a new certificate's state is told at once, even if it is the same
  if (is_reload)
    log("info", "certificate_reloaded", "new connections use the new certificate; open ones keep theirs", fields);
  else
    log("info", "certificate_loaded", "serving certificate loaded", fields);
}

void Reloader::check_certificate_expiry() {
  const std::optional<TimePoint> known = known_not_after(tls_.not_after_unix());
  if (!known) return;
  const TimePoint not_after = *known;
  const TimePoint at = now();
  const CertificateExpiry state = classify_expiry(not_after, at, options_.cert_expiry_warning);
  if (!expiry_reminder_.due(state, std::chrono::steady_clock::now()) || state == CertificateExpiry::Valid) return;
  audit::EventFields fields;
  fields.add("certificate", tls_files_.certificate.string()).add("notAfter", format_rfc3339(not_after));
  if (state == CertificateExpiry::Expiring) {
    log("warn", "certificate_expiring",
        "the serving certificate expires at " + format_rfc3339(not_after) + ", in " +
            format_duration(not_after - at) +
            "; after that the API server refuses every call to this webhook. Renew it: new files are "
            "picked up without a restart",
        fields);
  } else {
    log("error", "certificate_expired",
        "the serving certificate expired at " + format_rfc3339(not_after) +
            ": the API server refuses TLS to this webhook, so every admission call fails (failurePolicy Fail "
            "refuses the writes, Ignore lets them through unchecked). Renew it: new files are picked up without "
            "a restart",
        fields);
  }
}

void Reloader::reload_policies() {
  const std::string directory = options_.policies_dir.string();
  auto fail = [&](std::vector<std::string> errors) {
    metrics_.policy_reload_failed();
    const std::string first = first_error_of(errors);
    audit::EventFields fields;
    fields.add("directory", directory).add("errors", errors);
    auto attempts = policies_.record_failure(std::move(errors), now());
    log("error", "policy_reload_failed",
        have_policies_ ? "policy set not loaded; the previous set keeps serving: " + first
                       : "policy set not loaded; not ready: " + first,
        fields.add("failedAttempts", attempts));
  };

  auto files = policy::read_policy_files(options_.policies_dir);
  if (!files) return fail({files.error()});
  ContentHash hash;
  for (const auto& file : *files) {
    hash.add(file.path);
    hash.add(file.text);
  }
  if (have_policies_ && hash.value() == serving_policy_fingerprint_) {
    // Unchanged, or a broken edit was reverted: what is on disk is what serves.
    if (policies_.status().failed_attempts > 0) {
      policies_.clear_failure();
      log("info", "policy_reload_recovered", "policy files are back to the serving set", audit::EventFields().add("directory", directory));
    }
    return;
  }

  auto loaded = policy::load_sources(*files);
  // An empty set is a broken one: served, it would allow everything while ready
  // (an empty ConfigMap, a mistyped apiVersion). At start the server stays unready;
  // on reload the last good set keeps serving (docs/server.md, "An empty set").
  policy::require_policies(loaded, directory);
  if (!loaded.ok()) return fail(loaded.error_strings());
  std::size_t count = loaded.set->policies().size();
  std::string summary = std::to_string(count) + " policies from " + std::to_string(files->size()) + " files in " + directory;
  TimePoint loaded_at = now();
  auto generation = policies_.install(loaded.set, summary, loaded_at);
  serving_policy_fingerprint_ = hash.value();
  have_policies_ = true;
  metrics_.policy_reload_succeeded(generation, count, unix_seconds(loaded_at));
  log("info", "policies_loaded", summary,
      audit::EventFields()
          .add("directory", directory)
          .add("generation", generation)
          .add("policies", count)
          .add("files", files->size()));
}

void Reloader::reload_certificate() {
  auto fail = [&](const std::string& error) {
    metrics_.certificate_reload_failed();
    auto attempts = tls_.record_failure({error}, now());
    log("error", "certificate_reload_failed", "certificate not reloaded; the previous one keeps serving: " + error,
        audit::EventFields()
            .add("certificate", tls_files_.certificate.string())
            .add("errors", std::vector<std::string>{error})
            .add("failedAttempts", attempts));
  };
  auto material = read_tls_material(tls_files_);
  if (!material) return fail(material.error());
  if (material->fingerprint == tls_.fingerprint()) {
    if (tls_.status().failed_attempts > 0) {
      tls_.clear_failure();
      log("info", "certificate_reload_recovered", "certificate files are back to the serving certificate", {});
    }
    return;
  }
  auto built = build_tls_context(*material, tls_files_);
  if (!built) return fail(built.error());
  // An expired replacement is never better than what serves: if that is
  // still valid it stays, and if not, nothing is gained by swapping.
  if (const auto not_after = known_not_after(built->not_after_unix); not_after && now() >= *not_after)
    return fail("--tls-cert " + tls_files_.certificate.string() + ": the new certificate expired at " +
                format_rfc3339(*not_after));
  install_certificate(std::move(*built), material->fingerprint, true);
}

void Reloader::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void Reloader::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void Reloader::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mutex_);
      // Returns early only when stop is requested.
      if (wake_.wait_for(lock, stop, options_.reload_interval, [] { return false; }) || stop.stop_requested()) return;
    }
    reload_certificate();
    check_certificate_expiry();
    reload_policies();
  }
}

}  // namespace driftgate::server
