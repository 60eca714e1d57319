#pragma once
// One reloadable input of the server (the policy set, the TLS context): the value
// that is serving, and what /readyz?verbose says about it. A reload builds the new
// value off the hot path and swaps the pointer; a request or connection keeps the
// value it started with, because it holds its own shared_ptr.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "util/time.h"

namespace driftgate::server {

struct SourceStatus {
  std::uint64_t generation = 0;  // 0: nothing loaded yet
  std::optional<TimePoint> loaded_at;
  std::string summary;           // e.g. "12 policies from 3 files"
  // Every error of the last failed attempt, one per element, in order (a policy
  // set can have many, each file:line:column); empty when it succeeded.
  std::vector<std::string> last_errors;
  std::optional<TimePoint> last_error_at;
  std::uint64_t failed_attempts = 0;  // since the last success
};

template <typename T>
class Reloadable {
 public:
  // Null until the first value is installed.
  std::shared_ptr<T> current() const {
    std::lock_guard lock(current_mutex_);
    return current_;
  }

  // Returns the new generation.
  std::uint64_t install(std::shared_ptr<T> value, std::string summary, TimePoint now) {
    std::lock_guard lock(status_mutex_);
    {
      std::lock_guard swap(current_mutex_);
      current_ = std::move(value);
    }
    status_.generation += 1;
    status_.loaded_at = now;
    status_.summary = std::move(summary);
    reset_failure();
    return status_.generation;
  }

  // Returns the number of failed attempts since the last success.
  std::uint64_t record_failure(std::vector<std::string> errors, TimePoint now) {
    std::lock_guard lock(status_mutex_);
    status_.last_errors = std::move(errors);
    status_.last_error_at = now;
    return ++status_.failed_attempts;
  }

  // The files are back to what is serving (a broken change was reverted).
  void clear_failure() {
    std::lock_guard lock(status_mutex_);
    reset_failure();
  }

  SourceStatus status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
  }

 private:
  void reset_failure() {
    status_.last_errors.clear();
    status_.last_error_at.reset();
    status_.failed_attempts = 0;
  }

  // A plain mutex, not std::atomic<std::shared_ptr>: libstdc++ 12 implements the
  // latter with a lock bit inside the pointer that ThreadSanitizer cannot see, so
  // every reload was reported as a race. Held for a pointer copy only.
  mutable std::mutex current_mutex_;
  std::shared_ptr<T> current_;
  mutable std::mutex status_mutex_;
  SourceStatus status_;
};

}  // namespace driftgate::server
