#pragma once
// A client-side token bucket, as client-go's (golang.org/x/time/rate): `burst`
// requests may go at once, then one every 1/qps seconds. The clock is the
// caller's, so the arithmetic is testable without sleeping.
#include <algorithm>
#include <chrono>

namespace driftgate::kube {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // qps <= 0: no limit.
  TokenBucket(double qps, int burst) : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_) {}

  // Takes a token for a request about to be sent at `now` and returns how long
  // it must wait first (zero when a token was there). A reservation is never
  // given back: a request that waited has spent its token.
  std::chrono::nanoseconds reserve(TimePoint now) {
    if (qps_ <= 0) return std::chrono::nanoseconds(0);
    if (started_) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      if (elapsed > 0) tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
    }
    started_ = true;
    last_ = std::max(last_, now);
    tokens_ -= 1;
    if (tokens_ >= 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<long long>(-tokens_ / qps_ * 1e9));
  }

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  double qps_;
  int burst_;
  double tokens_;
  TimePoint last_{};
  bool started_ = false;
};

}  // namespace driftgate::kube
