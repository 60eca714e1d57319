#pragma once
// The serving policy set and what /readyz?verbose says about it. Reload builds a
// new set off the hot path and swaps the pointer; a request keeps the set it
// started with, because it holds its own shared_ptr.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "policy/policy.h"
#include "util/time.h"

namespace driftgate::server {

// One reloadable input (the policy set, the certificate): what is serving and
// why the last attempt to replace it failed, if it did.
struct SourceStatus {
  std::uint64_t generation = 0;  // 0: nothing loaded yet
  std::optional<TimePoint> loaded_at;
  std::string summary;           // e.g. "12 policies from 3 files"
  std::string last_error;        // "" when the last attempt succeeded
  std::optional<TimePoint> last_error_at;
  std::uint64_t failed_attempts = 0;  // since the last success
};

class PolicyStore {
 public:
  // Null until the first valid set is loaded.
  std::shared_ptr<const policy::PolicySet> current() const {
    std::lock_guard lock(current_mutex_);
    return current_;
  }

  // Returns the new generation.
  std::uint64_t install(std::shared_ptr<const policy::PolicySet> set, std::string summary, TimePoint now);
  // Returns the number of failed attempts since the last success.
  std::uint64_t record_failure(std::string error, TimePoint now);
  // The files are back to what is serving (a broken change was reverted).
  void clear_failure();
  SourceStatus status() const;

 private:
  // A plain mutex, not std::atomic<std::shared_ptr>: libstdc++ 12 implements the
  // latter with a lock bit inside the pointer that ThreadSanitizer cannot see, so
  // every reload was reported as a race. Held for a pointer copy only.
  mutable std::mutex current_mutex_;
  std::shared_ptr<const policy::PolicySet> current_;
  mutable std::mutex status_mutex_;
  SourceStatus status_;
};

}  // namespace driftgate::server
