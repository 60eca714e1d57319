#include "util/glob.h"

namespace driftgate {

bool Glob::matches(std::string_view text) const {
  if (literal_) return text == pattern_;
  // Greedy match with backtracking to the last star: linear for `*`-only globs.
  std::string_view p = pattern_;
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, resume = 0;
  while (ti < text.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      resume = ti;
    } else if (pi < p.size() && p[pi] == text[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace driftgate
