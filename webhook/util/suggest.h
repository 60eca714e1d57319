#pragma once
// "Did you mean …?" for the names a user types: field names, kinds, API versions,
// operations. A near miss is the same word in another case, or one a few edits away.
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace driftgate {

// Edits (insert, delete, substitute, swap two neighbours) between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Whether `typed` is a near miss of `candidate`: equal ignoring case, or within
// 1 edit for words up to 4 letters, 2 up to 8, 3 beyond (compared in lower case).
bool is_near_miss(std::string_view typed, std::string_view candidate);

// The candidate `typed` most likely meant, if any is a near miss (ties: the first).
std::optional<std::string_view> closest(std::string_view typed, std::span<const std::string_view> candidates);
std::optional<std::string_view> closest(std::string_view typed, std::initializer_list<std::string_view> candidates);

// `; did you mean "x"?`, or "" when there is no suggestion.
std::string did_you_mean(std::optional<std::string_view> suggestion);

std::string to_lower(std::string_view s);

}  // namespace driftgate
