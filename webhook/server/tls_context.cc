#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <ctime>

#include "server/certificate_expiry.h"
#include "server/content_hash.h"
#include "util/file.h"

namespace driftgate::server {
namespace {

namespace ssl = boost::asio::ssl;

// PEM files of certificates and keys are a few KiB; the cap only stops a
// misconfigured path (a log file, /dev/zero) from being read whole.
constexpr std::size_t kMaxPemBytes = 1u << 20;

// Mozilla "intermediate" TLS 1.2 suites: ECDHE key exchange (forward secrecy)
// with AEAD ciphers only. TLS 1.3 suites are all acceptable by construction.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The wire form of the one protocol we speak: the API server never asks for h2.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* offered,
                unsigned int offered_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kAlpnHttp11, sizeof kAlpnHttp11, offered, offered_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no ALPN answer; the client may still speak HTTP/1.1
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::string openssl_error(std::string_view what) {
  std::string message(what);
  unsigned long code;
  bool first = true;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += first ? ": " : "; ";
    message += buffer;
    first = false;
  }
  return message;
}

std::int64_t not_after_unix(X509* certificate) {
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate);
  std::tm tm{};
  if (!not_after || ASN1_TIME_to_tm(not_after, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string subject_of(X509* certificate) {
  char buffer[512];
  X509_NAME_oneline(X509_get_subject_name(certificate), buffer, sizeof buffer);
  return buffer;
}

}  // namespace

Result<TlsMaterial> read_tls_material(const TlsFiles& files) {
  TlsMaterial material;
  ContentHash hash;
  auto read = [&](const std::filesystem::path& path, std::string_view flag, std::string& out) -> std::optional<Error> {
    auto text = read_file(path, kMaxPemBytes);
    if (!text) return Error{std::string(flag) + " " + path.string() + ": " + text.error()};
    out = std::move(*text);
    hash.add(out);
    return std::nullopt;
  };
  if (auto error = read(files.certificate, "--tls-cert", material.certificate_pem)) return *error;
  if (auto error = read(files.private_key, "--tls-key", material.private_key_pem)) return *error;
  if (!files.client_ca.empty())
    if (auto error = read(files.client_ca, "--client-ca", material.client_ca_pem)) return *error;
  material.fingerprint = hash.value();
  return material;
}

Result<TlsContext> build_tls_context(const TlsMaterial& material, const TlsFiles& files) {
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    return Error{openssl_error("configuring TLS protocol versions and ciphers")};
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  // Sessions are resumable only with the context that created them; the id
  // context is also required once client certificates are verified.
  static constexpr unsigned char kSessionIdContext[] = "driftgate";
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof kSessionIdContext - 1);

  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(material.certificate_pem), ec);
  if (ec) return Error{openssl_error("--tls-cert " + files.certificate.string() + ": " + ec.message())};
  context->use_private_key(boost::asio::buffer(material.private_key_pem), ssl::context::pem, ec);
  if (ec) return Error{openssl_error("--tls-key " + files.private_key.string() + ": " + ec.message())};
  if (SSL_CTX_check_private_key(native) != 1)
    return Error{openssl_error("--tls-key " + files.private_key.string() + " does not match the certificate in " +
                               files.certificate.string())};

  if (!material.client_ca_pem.empty()) {
    // Every certificate of the bundle becomes a trust anchor and is advertised
    // to clients as an acceptable issuer.
    BIO* bio = BIO_new_mem_buf(material.client_ca_pem.data(), static_cast<int>(material.client_ca_pem.size()));
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    X509_STORE* store = SSL_CTX_get_cert_store(native);
    int anchors = 0;
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, ca);
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
      ++anchors;
    }
    BIO_free(bio);
    ERR_clear_error();  // the loop ends on a "no start line" at the end of the bundle
    if (anchors == 0) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      return Error{"--client-ca " + files.client_ca.string() + ": no PEM certificate found"};
    }
    SSL_CTX_set_client_CA_list(native, names);  // takes ownership
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }

  TlsContext built;
  X509* leaf = SSL_CTX_get0_certificate(native);
  built.not_after_unix = leaf ? not_after_unix(leaf) : 0;
  built.subject = leaf ? subject_of(leaf) : "";
  built.context = std::move(context);
  return built;
}

void TlsContextStore::install(TlsContext built, std::uint64_t fingerprint, TimePoint now) {
  std::string summary = built.subject + ", notAfter " + format_rfc3339(from_unix_seconds(built.not_after_unix));
  Reloadable::install(std::move(built.context), std::move(summary), now);
  fingerprint_.store(fingerprint, std::memory_order_release);
  not_after_unix_.store(built.not_after_unix, std::memory_order_release);
}

}  // namespace driftgate::server
