#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace driftgate::kube::testing {
namespace {

struct Key {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ~Key() { EVP_PKEY_free(key); }
};

std::string pem_of(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error("test PKI: bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by issuer (or self-signed when issuer is null).
X509* make_cert(EVP_PKEY* key, const char* cn, const char* org, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                const char* san, bool client) {
  static long serial = 1;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  if (org) X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(org), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509* issuer_cert = issuer ? issuer : cert;
  if (ca) {
    add_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert, issuer_cert, NID_key_usage, "critical,digitalSignature");
    add_extension(cert, issuer_cert, NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
  }
  if (san) add_extension(cert, issuer_cert, NID_subject_alt_name, san);
  add_extension(cert, issuer_cert, NID_subject_key_identifier, "hash");
  X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

TestPki build() {
  TestPki pki;
  Key ca_key, server_key, localhost_key, other_key, client_ca_key, client_key;
  X509* ca = make_cert(ca_key.key, "kubernetes test CA", nullptr, nullptr, nullptr, true, nullptr, false);
  X509* server = make_cert(server_key.key, "kube-apiserver", nullptr, ca, ca_key.key, false,
                           "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc", false);
  X509* localhost = make_cert(localhost_key.key, "kube-apiserver", nullptr, ca, ca_key.key, false, "DNS:localhost", false);
  X509* other = make_cert(other_key.key, "some other CA", nullptr, nullptr, nullptr, true, nullptr, false);
  X509* client_ca = make_cert(client_ca_key.key, "kubernetes client CA", nullptr, nullptr, nullptr, true, nullptr, false);
  X509* client = make_cert(client_key.key, "ci-bot", "ci", client_ca, client_ca_key.key, false, nullptr, true);
  pki.ca = {pem_of(ca), pem_of(ca_key.key)};
  pki.server = {pem_of(server), pem_of(server_key.key)};
  pki.server_localhost_only = {pem_of(localhost), pem_of(localhost_key.key)};
  pki.other_ca = {pem_of(other), pem_of(other_key.key)};
  pki.client_ca = {pem_of(client_ca), pem_of(client_ca_key.key)};
  pki.client = {pem_of(client), pem_of(client_key.key)};
  for (X509* c : {ca, server, localhost, other, client_ca, client}) X509_free(c);
  return pki;
}

// RSA key generation takes a good part of a second: only for the tests that need it.
Pem build_rsa_server(const TestPki& pki) {
  BIO* cert_bio = BIO_new_mem_buf(pki.ca.certificate.data(), static_cast<int>(pki.ca.certificate.size()));
  X509* ca = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(pki.ca.key.data(), static_cast<int>(pki.ca.key.size()));
  EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  if (!ca || !ca_key) throw std::runtime_error("test PKI: cannot read the CA back");
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = make_cert(key, "kube-apiserver", nullptr, ca, ca_key, false,
                         "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc", false);
  Pem out{pem_of(cert), pem_of(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  X509_free(ca);
  EVP_PKEY_free(ca_key);
  return out;
}

}  // namespace

const TestPki& test_pki() {
  static const TestPki pki = build();
  return pki;
}

const Pem& test_rsa_server() {
  static const Pem pem = build_rsa_server(test_pki());
  return pem;
}

}  // namespace driftgate::kube::testing
