#pragma once
// Building the server's TLS context from PEM files, and the store that hands
// the newest one to each new connection while open ones keep theirs.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "server/reloadable.h"
#include "util/result.h"

namespace boost::asio::ssl {
class context;
}

namespace driftgate::server {

struct TlsFiles {
  std::filesystem::path certificate;  // PEM chain, leaf first
  std::filesystem::path private_key;  // PEM
  std::filesystem::path client_ca;    // PEM bundle; empty: no client certificates
};

// The bytes of the files, read once so the fingerprint and the context are
// built from the same contents even while cert-manager swaps the files.
struct TlsMaterial {
  std::string certificate_pem;
  std::string private_key_pem;
  std::string client_ca_pem;
  std::uint64_t fingerprint = 0;
};

Result<TlsMaterial> read_tls_material(const TlsFiles& files);

struct TlsContext {
  std::shared_ptr<boost::asio::ssl::context> context;
  std::int64_t not_after_unix = 0;  // the leaf certificate's expiry
  std::string subject;              // for logs and /readyz?verbose
};

// TLS 1.2 and 1.3 only, forward-secret AEAD ciphers, ALPN http/1.1, and with a
// client CA: the peer must present a certificate it signed.
Result<TlsContext> build_tls_context(const TlsMaterial& material, const TlsFiles& files);

// The serving TLS context: new connections take the newest, open ones keep theirs.
class TlsContextStore : public Reloadable<boost::asio::ssl::context> {
 public:
  std::uint64_t fingerprint() const { return fingerprint_.load(std::memory_order_acquire); }
  // The serving leaf certificate's notAfter, Unix seconds (0 before the first install).
  std::int64_t not_after_unix() const { return not_after_unix_.load(std::memory_order_acquire); }
  void install(TlsContext built, std::uint64_t fingerprint, TimePoint now);

 private:
  std::atomic<std::uint64_t> fingerprint_{0};
  std::atomic<std::int64_t> not_after_unix_{0};
};

}  // namespace driftgate::server
