#pragma once
// Shell-style globs with `*` only (any run of characters, including none), the
// matching used for kinds, namespaces, users, groups and label values.
#include <string>
#include <string_view>

namespace driftgate {

class Glob {
 public:
  Glob() = default;
  explicit Glob(std::string pattern) : pattern_(std::move(pattern)) {
    literal_ = pattern_.find('*') == std::string::npos;
  }
  bool matches(std::string_view text) const;
  bool is_literal() const { return literal_; }
  bool matches_everything() const { return pattern_ == "*"; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  bool literal_ = true;
};

}  // namespace driftgate
