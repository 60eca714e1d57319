#pragma once
// Certificates for the kube client tests, made in memory at start (P-256, a
// day's validity): a cluster CA and the API server's certificate for
// 127.0.0.1 / localhost, an unrelated CA (the "wrong CA" case), and a client
// CA with a client certificate for user ci-bot.
#include <string>

namespace driftgate::kube::testing {

struct Pem {
  std::string certificate;
  std::string key;
};

struct TestPki {
  Pem ca;
  Pem server;  // SANs: IP 127.0.0.1, IP ::1, DNS localhost, DNS kubernetes.default.svc
  Pem server_localhost_only;  // signed by `ca`; its one SAN: DNS localhost
  Pem other_ca;
  Pem client_ca;
  Pem client;  // CN=ci-bot, O=ci
};

// Built once per process.
const TestPki& test_pki();
// The server's names on an RSA key, signed by test_pki().ca: for a TLS 1.1
// server whose (RSA) key exchange needs no signature. Built on first use.
const Pem& test_rsa_server();

}  // namespace driftgate::kube::testing
