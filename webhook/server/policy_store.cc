#include "server/policy_store.h"

namespace driftgate::server {

std::uint64_t PolicyStore::install(std::shared_ptr<const policy::PolicySet> set, std::string summary, TimePoint now) {
  std::lock_guard lock(status_mutex_);
  {
    std::lock_guard swap(current_mutex_);
    current_ = std::move(set);
  }
  status_.generation += 1;
  status_.loaded_at = now;
  status_.summary = std::move(summary);
  status_.last_error.clear();
  status_.last_error_at.reset();
  status_.failed_attempts = 0;
  return status_.generation;
}

std::uint64_t PolicyStore::record_failure(std::string error, TimePoint now) {
  std::lock_guard lock(status_mutex_);
  status_.last_error = std::move(error);
  status_.last_error_at = now;
  return ++status_.failed_attempts;
}

void PolicyStore::clear_failure() {
  std::lock_guard lock(status_mutex_);
  status_.last_error.clear();
  status_.last_error_at.reset();
  status_.failed_attempts = 0;
}

SourceStatus PolicyStore::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

}  // namespace driftgate::server
