#include "util/quantity.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

namespace driftgate {
namespace {

constexpr int kMaxExponent = 1000;
constexpr std::size_t kMaxLength = 64;

// A non-negative big integer in base 10^9, least significant limb first.
class BigInt {
 public:
  explicit BigInt(std::string_view digits) {
    for (std::size_t end = digits.size(); end > 0;) {
      std::size_t start = end >= 9 ? end - 9 : 0;
      std::uint32_t limb = 0;
      for (std::size_t i = start; i < end; ++i) limb = limb * 10 + static_cast<std::uint32_t>(digits[i] - '0');
      limbs_.push_back(limb);
      end = start;
    }
    trim();
  }
  void multiply(std::uint32_t factor) {
    std::uint64_t carry = 0;
    for (std::uint32_t& limb : limbs_) {
      std::uint64_t v = std::uint64_t{limb} * factor + carry;
      limb = static_cast<std::uint32_t>(v % kBase);
      carry = v / kBase;
    }
    while (carry) {
      limbs_.push_back(static_cast<std::uint32_t>(carry % kBase));
      carry /= kBase;
    }
  }
  void multiply_pow10(int n) {
    for (; n >= 9; n -= 9) multiply(1'000'000'000u);
    std::uint32_t f = 1;
    for (; n > 0; --n) f *= 10;
    multiply(f);
  }
  void multiply_pow2(int n) {
    for (; n >= 29; n -= 29) multiply(1u << 29);
    multiply(1u << n);
  }
  friend int compare(const BigInt& a, const BigInt& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (std::size_t i = a.limbs_.size(); i-- > 0;)
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    return 0;
  }

 private:
  static constexpr std::uint64_t kBase = 1'000'000'000u;
  void trim() {
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }
  std::vector<std::uint32_t> limbs_;
};

struct Suffix {
  std::string_view text;
  int exp10;
  int exp2;
};
constexpr Suffix kSuffixes[] = {{"Ki", 0, 10}, {"Mi", 0, 20}, {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50},
                                {"Ei", 0, 60}, {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},
                                {"M", 6, 0},   {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty() || text.size() > kMaxLength) return std::nullopt;
  Quantity q;
  q.text_ = std::string(text);
  std::size_t pos = 0;
  if (text[pos] == '+' || text[pos] == '-') q.negative_ = text[pos++] == '-';
  std::string digits;
  int fraction_digits = 0;
  bool seen_digit = false, seen_point = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (is_digit(c)) {
      digits.push_back(c);
      seen_digit = true;
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  std::string_view suffix = text.substr(pos);
  int exp10 = -fraction_digits, exp2 = 0;
  const Suffix* named = std::find_if(std::begin(kSuffixes), std::end(kSuffixes),
                                     [&](const Suffix& s) { return s.text == suffix; });
  if (named != std::end(kSuffixes)) {  // before exponents: `Ei` and `E` are suffixes
    exp10 += named->exp10;
    exp2 = named->exp2;
  } else if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view exponent = suffix.substr(1);
    if (!exponent.empty() && exponent[0] == '+') exponent.remove_prefix(1);
    int e = 0;
    auto [end, ec] = std::from_chars(exponent.data(), exponent.data() + exponent.size(), e);
    if (exponent.empty() || ec != std::errc() || end != exponent.data() + exponent.size() || e > kMaxExponent ||
        e < -kMaxExponent)
      return std::nullopt;
    exp10 += e;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  // Normalise: no leading zeros, trailing zeros moved into the exponent, so that
  // equal values compare equal without arithmetic in the common cases.
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    q.negative_ = false;  // -0 is 0
    return q;
  }
  digits.erase(0, first);
  while (digits.back() == '0') {
    digits.pop_back();
    ++exp10;
  }
  q.digits_ = std::move(digits);
  q.exp10_ = exp10;
  q.exp2_ = exp2;
  return q;
}

int compare(const Quantity& a, const Quantity& b) {
  const bool a_zero = a.digits_.empty(), b_zero = b.digits_.empty();
  const int a_sign = a_zero ? 0 : a.negative_ ? -1 : 1;
  const int b_sign = b_zero ? 0 : b.negative_ ? -1 : 1;
  if (a_sign != b_sign) return a_sign < b_sign ? -1 : 1;
  if (a_sign == 0) return 0;
  // Scale both to integers over the smaller exponents, then compare magnitudes.
  const int e10 = std::min(a.exp10_, b.exp10_), e2 = std::min(a.exp2_, b.exp2_);
  BigInt x(a.digits_), y(b.digits_);
  x.multiply_pow10(a.exp10_ - e10);
  x.multiply_pow2(a.exp2_ - e2);
  y.multiply_pow10(b.exp10_ - e10);
  y.multiply_pow2(b.exp2_ - e2);
  const int magnitude = compare(x, y);
  return a_sign > 0 ? magnitude : -magnitude;
}

}  // namespace driftgate
