#include "engine/order.h"

#include <charconv>
#include <vector>

#include "util/time.h"

namespace driftgate::engine {
namespace {

std::optional<std::int64_t> read_integer(const json::Value& v) {
  if (v.is_integer()) return v.as_integer();
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

struct Semver {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string_view> prerelease;
};

bool read_number(std::string_view s, std::uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::optional<Semver> read_semver(const json::Value& v) {
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);  // image tags are often v1.2.3
  s = s.substr(0, s.find('+'));  // build metadata has no precedence
  std::string_view pre;
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    pre = s.substr(dash + 1);
    s = s.substr(0, dash);
    if (pre.empty()) return std::nullopt;
  }
  Semver out;
  std::uint64_t* parts[] = {&out.major, &out.minor, &out.patch};
  for (int i = 0; i < 3; ++i) {
    auto dot = s.find('.');
    if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;
    if (!read_number(s.substr(0, dot), *parts[i])) return std::nullopt;
    s = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  }
  while (!pre.empty()) {
    auto dot = pre.find('.');
    out.prerelease.push_back(pre.substr(0, dot));
    if (out.prerelease.back().empty()) return std::nullopt;
    pre = dot == std::string_view::npos ? std::string_view{} : pre.substr(dot + 1);
  }
  return out;
}

int compare_identifiers(std::string_view a, std::string_view b) {
  std::uint64_t x, y;
  bool a_num = read_number(a, x), b_num = read_number(b, y);
  if (a_num && b_num) return x < y ? -1 : x > y ? 1 : 0;
  if (a_num != b_num) return a_num ? -1 : 1;  // numeric identifiers sort first
  return a < b ? -1 : a > b ? 1 : 0;
}

int compare_semver(const Semver& a, const Semver& b) {
  for (auto [x, y] : {std::pair{a.major, b.major}, std::pair{a.minor, b.minor}, std::pair{a.patch, b.patch}})
    if (x != y) return x < y ? -1 : 1;
  // A pre-release sorts before its release: 1.0.0-rc.1 < 1.0.0.
  if (a.prerelease.empty() || b.prerelease.empty())
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : a.prerelease.empty() ? 1 : -1;
  for (std::size_t i = 0; i < std::min(a.prerelease.size(), b.prerelease.size()); ++i)
    if (int c = compare_identifiers(a.prerelease[i], b.prerelease[i])) return c;
  return a.prerelease.size() < b.prerelease.size() ? -1 : a.prerelease.size() > b.prerelease.size() ? 1 : 0;
}

std::optional<TimePoint> read_time(const json::Value& v) {
  if (!v.is_string()) return std::nullopt;
  return parse_rfc3339(v.as_string());
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

}  // namespace

std::optional<int> compare(const json::Value& a, const json::Value& b, policy::Order order) {
  switch (order) {
    case policy::Order::Integer: {
      auto x = read_integer(a), y = read_integer(b);
      if (!x || !y) return std::nullopt;
      return three_way(*x, *y);
    }
    case policy::Order::Semver: {
      auto x = read_semver(a), y = read_semver(b);
      if (!x || !y) return std::nullopt;
      return compare_semver(*x, *y);
    }
    case policy::Order::Time: {
      auto x = read_time(a), y = read_time(b);
      if (!x || !y) return std::nullopt;
      return three_way(*x, *y);
    }
  }
  return std::nullopt;
}

bool readable(const json::Value& v, policy::Order order) {
  switch (order) {
    case policy::Order::Integer: return read_integer(v).has_value();
    case policy::Order::Semver: return read_semver(v).has_value();
    case policy::Order::Time: return read_time(v).has_value();
  }
  return false;
}

std::string_view order_name(policy::Order order) {
  switch (order) {
    case policy::Order::Integer: return "integer";
    case policy::Order::Semver: return "semantic version";
    case policy::Order::Time: return "RFC 3339 time";
  }
  return "";
}

}  // namespace driftgate::engine
