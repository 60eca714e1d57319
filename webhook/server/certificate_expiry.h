#pragma once
// Whether the serving certificate is close to its end or past it, and when to
// say so. The server cannot see an expired certificate from inside: the API
// server refuses the handshake, so every admission call fails (failurePolicy
// Fail refuses the writes, Ignore lets them through with no policy applied),
// and the webhook looks idle, not broken. So the reloader says it in the log,
// at once and then every hour until new certificate files are loaded, and
// /readyz?verbose shows it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/time.h"

namespace driftgate::server {

enum class CertificateExpiry { Valid, Expiring, Expired };

// A TimePoint counts nanoseconds and ends in 2262; a certificate may say 9999
// (RFC 5280's "no well-defined expiration date"). Clamped, not overflowed.
inline TimePoint from_unix_seconds(std::int64_t seconds) {
  constexpr std::int64_t kLast =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::max().time_since_epoch()).count();
  return TimePoint(std::chrono::seconds(std::clamp(seconds, -kLast, kLast)));
}

// The notAfter of a TlsContext (`not_after_unix`), or nullopt when it could not
// be read (0): no date to compare, so neither expiring nor expired.
inline std::optional<TimePoint> known_not_after(std::int64_t not_after_unix) {
  if (not_after_unix == 0) return std::nullopt;
  return from_unix_seconds(not_after_unix);
}

// Expiring: less than `warn_before` left.
inline CertificateExpiry classify_expiry(TimePoint not_after, TimePoint now, std::chrono::nanoseconds warn_before) {
  if (now >= not_after) return CertificateExpiry::Expired;
  if (not_after - now < warn_before) return CertificateExpiry::Expiring;
  return CertificateExpiry::Valid;
}

inline std::string_view expiry_label(CertificateExpiry expiry) {
  switch (expiry) {
    case CertificateExpiry::Valid: return "valid";
    case CertificateExpiry::Expiring: return "expiring";
    case CertificateExpiry::Expired: return "expired";
  }
  return "valid";
}

// When a reminder is due: on every change of state, and again each `repeat`
// while the state is not Valid. A problem that is logged once, at 3 a.m.,
// is a problem nobody saw. The repeat is timed on the monotonic clock, so a
// wall clock set back does not silence it.
class ExpiryReminder {
 public:
  using Instant = std::chrono::steady_clock::time_point;
  explicit ExpiryReminder(std::chrono::nanoseconds repeat = std::chrono::hours(1)) : repeat_(repeat) {}

  bool due(CertificateExpiry state, Instant now) {
    bool changed = !last_ || *last_ != state;
    bool repeat = !changed && state != CertificateExpiry::Valid && now - last_at_ >= repeat_;
    if (changed || repeat) {
      last_ = state;
      last_at_ = now;
    }
    return changed || repeat;
  }

 private:
  std::chrono::nanoseconds repeat_;
  std::optional<CertificateExpiry> last_;
  Instant last_at_{};
};

}  // namespace driftgate::server
