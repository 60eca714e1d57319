#pragma once
// A fake kube-apiserver for the client's tests: real HTTPS (TLS 1.2+, the test
// PKI's server certificate) on 127.0.0.1, port 0. It serves discovery
// documents like a 1.28 server's (core v1, apps/v1 with deployments/scale, an
// aggregated metrics.k8s.io that can be made to fail), and LIST of stored
// objects paginated as the real one does it (limit, continue, metadata.continue,
// remainingItemCount, PartialObjectMetadataList on request). It can be told to
// misbehave, and records every request for assertions.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <cstdint>
#include <thread>
#include <vector>

namespace driftgate::kube::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-case
  std::size_t connection = 0;                  // which accepted connection carried it (1, 2, ...)
};

struct FakeOptions {
  bool require_client_certificate = false;  // verify against the test PKI's client CA
  // Present TestPki::server_localhost_only, whose only SAN is DNS:localhost:
  // not valid for https://127.0.0.1:<port>.
  bool certificate_for_localhost_only = false;
  // Speak TLS 1.0 and 1.1 only, with RSA key exchange (test_rsa_server()) at
  // OpenSSL security level 0: the server agrees to it, no SHA-1 signature is
  // involved that the client's security level would refuse anyway, so the
  // refusal is the client's TLS 1.2 floor.
  bool only_tls_1_1 = false;
};

class FakeApiServer {
 public:
  explicit FakeApiServer(FakeOptions options = {});
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const;  // https://127.0.0.1:<port>

  // Objects served by LIST. `collection` is the cluster-wide path
  // (/api/v1/configmaps, /apis/apps/v1/deployments); `object` is JSON; a
  // namespaced LIST (/api/v1/namespaces/x/configmaps) filters on metadata.namespace.
  void add_object(const std::string& collection, const std::string& object);
  // n Flux-managed ConfigMaps (apps/app-config-<i>) whose managedFields hold a
  // kustomize-controller Apply and a kubectl-edit Update, as kubernetes-facts.md
  // records them; and n Deployments (Flux-managed, one kubectl scale entry
  // without a time).
  void add_configmaps(int n, const std::string& namespace_ = "apps");
  void add_deployments(int n, const std::string& namespace_ = "apps");

  // --- misbehaviour ---
  // The next n requests that carry a continue token answer 410 Expired.
  void expire_continue_tokens(int n);
  // The next n requests answer 429 with `Retry-After: seconds`.
  void throttle(int n, int retry_after_seconds);
  // Requests whose path starts with `path_prefix` answer 403 as for `user`.
  void forbid(const std::string& path_prefix, const std::string& resource, const std::string& user);
  // Lifts every forbid().
  void allow_all();
  // Requests without `Authorization: Bearer <token>` answer 401; empty: no check.
  void require_token(const std::string& token);
  // Answer every request with Connection: close and close the connection.
  void close_after_each_response(bool close);
  // Close each connection after its response without saying so (no
  // Connection: close), as a load balancer's idle timeout does.
  void drop_connections_silently(bool drop);
  // /apis/metrics.k8s.io/v1beta1 answers 503, as when metrics-server is down.
  void break_metrics_group(bool broken);

  // Serves `collection` even while it holds no object (an empty LIST, not 404).
  void add_collection(const std::string& collection);
  // Removes every stored object of a collection (then add_object to change what LIST serves).
  void clear_objects(const std::string& collection);
  // --- writes ---
  // Serves wgpolicyk8s.io/v1alpha2 (discovery, policyreports, clusterpolicyreports)
  // with GET, LIST (labelSelector k=v), POST, PUT and DELETE as the API server
  // answers them: each write gets a new resourceVersion; a PUT with a stale one
  // is 409 Conflict, without one 422, a POST of an existing name 409 AlreadyExists.
  void serve_policy_reports();
  // The next n PUTs find the stored object changed by another writer just before
  // (its resourceVersion moves on), so the PUT's resourceVersion is stale: 409.
  void change_before_next_puts(int n);
  // Namespace `ns` is deleted: a POST into it answers 404 NotFound (namespaces "ns"
  // not found), as the API server does.
  void delete_namespace(const std::string& ns);
  // The stored objects of a collection (JSON, as GET serves them).
  std::vector<std::string> objects(const std::string& collection) const;

  // The resourceVersion LIST answers carry (4711 by default).
  void set_list_resource_version(std::uint64_t resource_version);

  // --- WATCH (?watch=1 on a collection path) ---
  // A watch answers 200 with a chunked body and then sends, one JSON line each,
  // the events pushed for its collection after it opened, until close_watches
  // (a proper end: the terminating chunk) or drop_watches (the connection just
  // closes). Single-object GETs (<collection path>/<name>) are served from the
  // stored objects, as PartialObjectMetadata when asked for.
  void push_event(const std::string& collection, const std::string& type, const std::string& object);
  void push_line(const std::string& collection, const std::string& line);  // any text, e.g. an ERROR event
  void close_watches();
  void drop_watches();
  // Watches being served now, and watch requests received in all.
  std::size_t open_watches() const;
  std::size_t watch_requests() const;
  // Waits until watch_requests() >= n and open_watches() >= open; false on timeout.
  bool wait_for_watches(std::size_t n, std::size_t open, std::chrono::milliseconds timeout) const;

  std::vector<RecordedRequest> requests() const;
  void clear_requests();
  std::size_t connections() const { return connections_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
  std::atomic<std::size_t> connections_{0};
};

}  // namespace driftgate::kube::testing
