#include "util/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace driftgate {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbours, the
  // most common typing slip ("dirftgate").
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], prev2[j - 2] + 1);
    }
    prev2.swap(prev);
    prev.swap(row);
  }
  return prev[m];
}

namespace {

std::size_t allowed_edits(std::string_view typed) { return typed.size() <= 4 ? 1 : typed.size() <= 8 ? 2 : 3; }

}  // namespace

bool is_near_miss(std::string_view typed, std::string_view candidate) {
  return edit_distance(to_lower(typed), to_lower(candidate)) <= allowed_edits(typed);
}

std::optional<std::string_view> closest(std::string_view typed, std::span<const std::string_view> candidates) {
  const std::string lower = to_lower(typed);
  const std::size_t limit = allowed_edits(typed);
  std::optional<std::string_view> best;
  std::size_t best_score = 0;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(lower, to_lower(c));
    if (d > limit) continue;
    // Among equally near candidates in lower case, the one nearer as typed wins.
    const std::size_t score = d * 1000 + edit_distance(typed, c);
    if (!best || score < best_score) {
      best = c;
      best_score = score;
    }
  }
  return best;
}

std::optional<std::string_view> closest(std::string_view typed, std::initializer_list<std::string_view> candidates) {
  return closest(typed, std::span<const std::string_view>(candidates.begin(), candidates.size()));
}

std::string did_you_mean(std::optional<std::string_view> suggestion) {
  if (!suggestion) return "";
  return "; did you mean \"" + std::string(*suggestion) + "\"?";
}

}  // namespace driftgate
