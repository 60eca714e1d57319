#pragma once
// Kubernetes resource quantities (`500m`, `2Gi`, `1e3`, `0.5`), compared exactly:
// a quantity is held as sign × digits × 10^exp10 × 2^exp2 and compared with big
// integers, never through double (1Ei + 1 and 1Ei differ; 0.1 is one tenth).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace driftgate {

class Quantity {
 public:
  // The grammar of k8s.io/apimachinery's resource.Quantity: an optionally signed
  // decimal number (`1`, `1.5`, `.5`, `5.`) followed by a binary suffix (Ki Mi Gi
  // Ti Pi Ei), a decimal suffix (n u m k M G T P E) or a decimal exponent (e3,
  // E-2). nullopt for anything else, and for exponents beyond ±1000 or numbers of
  // more than 64 characters (no real quantity comes near either).
  static std::optional<Quantity> parse(std::string_view text);

  // -1, 0 or 1.
  friend int compare(const Quantity& a, const Quantity& b);
  friend bool operator==(const Quantity& a, const Quantity& b) { return compare(a, b) == 0; }

  const std::string& text() const { return text_; }

 private:
  bool negative_ = false;
  std::string digits_;  // no leading zeros; empty for zero
  int exp10_ = 0;
  int exp2_ = 0;
  std::string text_;  // as written
};

}  // namespace driftgate
