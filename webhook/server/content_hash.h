#pragma once
// A cheap fingerprint of file contents, to tell whether a reload would change
// anything. Contents rather than mtimes: cert-manager and ConfigMap volumes swap
// symlinks, and a copied file can keep its old mtime.
#include <cstdint>
#include <string_view>

namespace driftgate::server {

class ContentHash {
 public:
  // FNV-1a, 64 bit: not cryptographic, only a change detector over our own files.
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      value_ ^= c;
      value_ *= 0x100000001b3ULL;
    }
    // Separate fields, so ("ab", "c") and ("a", "bc") differ.
    value_ ^= bytes.size();
    value_ *= 0x100000001b3ULL;
  }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t value_ = 0xcbf29ce484222325ULL;
};

}  // namespace driftgate::server
