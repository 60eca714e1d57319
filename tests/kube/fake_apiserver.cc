#include "fake_apiserver.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <condition_variable>
#include <optional>
#include <deque>
#include <set>

#include "json/parse.h"
#include "json/writer.h"
#include "test_pki.h"
#include "util/base64.h"

namespace driftgate::kube::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string status_body(int code, std::string_view reason, std::string_view message, std::string_view details = "{}") {
  std::string out = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)";
  json::write_string(message, out);
  out += R"(,"reason":")";
  out.append(reason).append(R"(","details":)").append(details).append(R"(,"code":)");
  out += std::to_string(code);
  out += "}";
  return out;
}

constexpr const char* kCoreVersions =
    R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"172.18.0.2:6443"}]})";

constexpr const char* kCoreResources = R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
{"name":"bindings","singularName":"binding","namespaced":true,"kind":"Binding","verbs":["create"]},
{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["cm"],"storageVersionHash":"qFsyl6wFWjQ="},
{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["ns"],"storageVersionHash":"Q3oi5N2YM8M="},
{"name":"namespaces/finalize","singularName":"","namespaced":false,"kind":"Namespace","verbs":["update"]},
{"name":"namespaces/status","singularName":"","namespaced":false,"kind":"Namespace","verbs":["get","patch","update"]},
{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["po"],"categories":["all"],"storageVersionHash":"xPOwRZ+Yhw8="},
{"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]},
{"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"storageVersionHash":"S6u1pOWzb84="}
]})";

constexpr const char* kGroups = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[
{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
{"name":"autoscaling","versions":[{"groupVersion":"autoscaling/v2","version":"v2"},{"groupVersion":"autoscaling/v1","version":"v1"}],"preferredVersion":{"groupVersion":"autoscaling/v2","version":"v2"}},
{"name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}}
]})";

constexpr const char* kAppsResources = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1","resources":[
{"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["deploy"],"categories":["all"],"storageVersionHash":"8aSe+NMegvE="},
{"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]},
{"name":"deployments/status","singularName":"","namespaced":true,"kind":"Deployment","verbs":["get","patch","update"]},
{"name":"statefulsets","singularName":"statefulset","namespaced":true,"kind":"StatefulSet","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["sts"],"categories":["all"]},
{"name":"statefulsets/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]}
]})";

constexpr const char* kAutoscalingResources = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"autoscaling/v2","resources":[
{"name":"horizontalpodautoscalers","singularName":"horizontalpodautoscaler","namespaced":true,"kind":"HorizontalPodAutoscaler","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"shortNames":["hpa"],"categories":["all"]},
{"name":"horizontalpodautoscalers/status","singularName":"","namespaced":true,"kind":"HorizontalPodAutoscaler","verbs":["get","patch","update"]}
]})";

constexpr const char* kPolicyReportGroup =
    R"({"name":"wgpolicyk8s.io","versions":[{"groupVersion":"wgpolicyk8s.io/v1alpha2","version":"v1alpha2"}],"preferredVersion":{"groupVersion":"wgpolicyk8s.io/v1alpha2","version":"v1alpha2"}})";
constexpr const char* kPolicyReportResources = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"wgpolicyk8s.io/v1alpha2","resources":[
{"name":"clusterpolicyreports","singularName":"clusterpolicyreport","namespaced":false,"kind":"ClusterPolicyReport","verbs":["delete","deletecollection","get","list","patch","create","update","watch"],"shortNames":["cpolr"]},
{"name":"policyreports","singularName":"policyreport","namespaced":true,"kind":"PolicyReport","verbs":["delete","deletecollection","get","list","patch","create","update","watch"],"shortNames":["polr"]}
]})";

// `object` with metadata members set (added or replaced), as the server fills
// in resourceVersion, uid and creationTimestamp.
std::string set_metadata(const json::Value& object, const std::vector<std::pair<std::string, std::string>>& fields) {
  json::Writer w;
  w.begin_object();
  bool had = false;
  const auto write_metadata = [&](const json::Value* metadata) {
    w.key("metadata").begin_object();
    if (metadata)
      for (const json::Member& m : metadata->members()) {
        bool replaced = false;
        for (const auto& f : fields) replaced = replaced || m.key == f.first;
        if (!replaced) w.field(m.key, m.value);
      }
    for (const auto& [k, v] : fields) w.field(k, v);
    w.end_object();
  };
  for (const json::Member& m : object.members()) {
    if (m.key == "metadata") {
      had = true;
      write_metadata(&m.value);
    } else {
      w.field(m.key, m.value);
    }
  }
  if (!had) write_metadata(nullptr);
  return w.end_object().take();
}

// Whether an object's labels hold every `k=v` of an equality-based selector.
bool labels_match(const std::string& object, const std::string& selector) {
  if (selector.empty()) return true;
  auto doc = json::parse(object);
  if (!doc) return false;
  const json::Value* metadata = doc->root.find("metadata");
  const json::Value* labels = metadata ? metadata->find("labels") : nullptr;
  std::string_view rest = selector;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view term = rest.substr(0, comma);
    const auto eq = term.find('=');
    if (eq == std::string_view::npos) return false;  // only k=v is served
    if (!labels || labels->string_at(term.substr(0, eq)) != term.substr(eq + 1)) return false;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

constexpr const char* kMetricsResources = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"metrics.k8s.io/v1beta1","resources":[
{"name":"nodes","singularName":"","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]},
{"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]}
]})";

// The list kind and apiVersion for a collection path's items.
std::pair<std::string, std::string> list_kind(const std::string& collection) {
  if (collection == "/api/v1/configmaps") return {"ConfigMapList", "v1"};
  if (collection == "/api/v1/secrets") return {"SecretList", "v1"};
  if (collection == "/api/v1/namespaces") return {"NamespaceList", "v1"};
  if (collection == "/api/v1/pods") return {"PodList", "v1"};
  if (collection == "/apis/apps/v1/deployments") return {"DeploymentList", "apps/v1"};
  if (collection == "/apis/apps/v1/statefulsets") return {"StatefulSetList", "apps/v1"};
  return {"List", "v1"};
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

struct Stored {
  std::string namespace_;
  std::string name;
  std::string object;    // JSON as LIST serves it
  std::string metadata;  // its metadata alone, for PartialObjectMetadataList
};

// A watch being served: the lines pushed for it, in both forms.
struct WatchLine {
  std::string full, metadata;  // the event as pushed; with a PartialObjectMetadata object
};
struct WatchStream {
  std::string collection;
  bool metadata_only = false;
  std::deque<WatchLine> lines;
  bool end = false, drop = false;
};

std::string partial_object_metadata(const std::string& object) {
  auto doc = json::parse(object);
  if (!doc) return object;
  const json::Value* metadata = doc->root.find("metadata");
  return R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":)" +
         (metadata ? json::to_string(*metadata) : std::string("{}")) + "}";
}

}  // namespace

struct FakeApiServer::Impl {
  FakeApiServer& owner;
  FakeOptions options;
  net::io_context ioc;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::thread accept_thread;

  mutable std::mutex mutex;  // everything below
  std::vector<std::thread> connection_threads;
  std::set<int> open_fds;
  bool stopping = false;
  std::map<std::string, std::vector<Stored>> collections;
  std::vector<RecordedRequest> recorded;
  int expire_count = 0;
  int throttle_count = 0;
  int retry_after = 1;
  std::vector<std::tuple<std::string, std::string, std::string>> forbidden;  // prefix, resource, user
  std::string required_token;
  bool close_each = false;
  bool drop_silently = false;
  bool metrics_broken = false;
  std::uint64_t list_resource_version = 4711;
  // Collections that take POST, PUT and DELETE (serve_policy_reports), and the
  // counter their objects' resourceVersions come from.
  std::set<std::string> writable;
  bool policy_reports = false;
  std::uint64_t object_resource_version = 9000;
  int change_before_put = 0;
  std::set<std::string> deleted_namespaces;  // delete_namespace
  std::vector<std::shared_ptr<WatchStream>> watches;
  std::size_t watch_request_count = 0;
  mutable std::condition_variable changed;  // watches and their lines

  explicit Impl(FakeApiServer& o, FakeOptions opts) : owner(o), options(opts) {
    const TestPki& pki = test_pki();
    if (options.only_tls_1_1) {
      SSL_CTX_set_security_level(tls.native_handle(), 0);
      SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(tls.native_handle(), TLS1_1_VERSION);
      // RSA key exchange: no TLS 1.1 signature (SHA-1, which OpenSSL 3 refuses
      // at its default security level) is involved, so only the client's
      // version floor stands between it and this server.
      SSL_CTX_set_cipher_list(tls.native_handle(), "AES128-SHA:AES256-SHA:@SECLEVEL=0");
    } else {
      SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    }
    const Pem& identity = options.certificate_for_localhost_only ? pki.server_localhost_only
                          : options.only_tls_1_1                 ? test_rsa_server()
                                                                 : pki.server;
    tls.use_certificate_chain(net::buffer(identity.certificate));
    tls.use_private_key(net::buffer(identity.key), ssl::context::pem);
    if (options.require_client_certificate) {
      tls.add_certificate_authority(net::buffer(pki.client_ca.certificate));
      tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    accept_thread = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      for (int fd : open_fds) ::shutdown(fd, SHUT_RDWR);  // wakes the blocked reads
    }
    changed.notify_all();  // wakes the watches waiting for events
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);  // wakes the blocked accept (Linux)
    accept_thread.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex);
      threads.swap(connection_threads);
    }
    for (auto& t : threads) t.join();
  }

  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(ioc);
      acceptor.accept(socket, ec);
      std::lock_guard lock(mutex);
      if (stopping || ec) return;
      std::size_t id = ++owner.connections_;
      open_fds.insert(socket.native_handle());
      connection_threads.emplace_back([this, s = std::move(socket), id]() mutable { serve(std::move(s), id); });
    }
  }

  void serve(tcp::socket socket, std::size_t id) {
    int fd = socket.native_handle();
    {
      beast::ssl_stream<tcp::socket> stream(std::move(socket), tls);
      boost::system::error_code ec;
      stream.handshake(ssl::stream_base::server, ec);
      beast::flat_buffer buffer;
      while (!ec) {
        http::request<http::string_body> request;
        http::read(stream, buffer, request, ec);
        if (ec) break;
        bool close = false, drop = false;
        std::shared_ptr<WatchStream> watch;
        auto response = handle(request, id, close, drop, watch);
        if (watch) {
          bool proper_end = serve_watch(stream, *watch, ec);
          if (proper_end) stream.shutdown(ec);
          break;  // a connection carries one watch
        }
        response.keep_alive(!close && request.keep_alive());
        response.prepare_payload();
        http::write(stream, response, ec);
        if (ec || drop) break;  // no close_notify: the socket just closes
        if (!response.keep_alive()) {
          stream.shutdown(ec);
          break;
        }
      }
      std::lock_guard lock(mutex);
      open_fds.erase(fd);
    }  // the stream closes its socket here
  }

  http::response<http::string_body> reply(int status, std::string body,
                                          std::string content_type = "application/json") {
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, content_type);
    response.set("Audit-Id", "6d1b8b6c-0000-4000-8000-000000000000");
    response.body() = std::move(body);
    return response;
  }

  // Sends the events of `watch` as they are pushed; true when it ended properly.
  bool serve_watch(beast::ssl_stream<tcp::socket>& stream, WatchStream& watch, boost::system::error_code& ec) {
    http::response<http::empty_body> response{http::status::ok, 11};
    response.set(http::field::content_type, watch.metadata_only
                                                ? "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
                                                : "application/json");
    response.set("Audit-Id", "6d1b8b6c-0000-4000-8000-000000000001");
    response.chunked(true);
    http::response_serializer<http::empty_body> serializer{response};
    http::write_header(stream, serializer, ec);
    bool proper = false;
    while (!ec) {
      std::deque<WatchLine> lines;
      bool end = false, drop = false;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stopping || !watch.lines.empty() || watch.end || watch.drop; });
        lines.swap(watch.lines);
        end = watch.end || stopping;
        drop = watch.drop;
      }
      for (const WatchLine& line : lines) {
        std::string text = (watch.metadata_only ? line.metadata : line.full) + "\n";
        net::write(stream, http::make_chunk(net::buffer(text)), ec);
        if (ec) break;
      }
      if (ec || drop) break;
      if (end) {
        net::write(stream, http::make_chunk_last(), ec);
        proper = !ec;
        break;
      }
    }
    std::lock_guard lock(mutex);
    std::erase_if(watches, [&](const auto& w) { return w.get() == &watch; });
    changed.notify_all();
    return proper;
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& request, std::size_t id,
                                           bool& close, bool& drop, std::shared_ptr<WatchStream>& watch) {
    RecordedRequest r;
    r.method = std::string(request.method_string());
    r.target = std::string(request.target());
    r.connection = id;
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) {
      std::string_view query = std::string_view(r.target).substr(q + 1);
      while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        r.query[url_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
      }
    }
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }

    std::lock_guard lock(mutex);
    recorded.push_back(r);
    close = close_each;
    drop = drop_silently;
    if (!required_token.empty() && r.headers["authorization"] != "Bearer " + required_token)
      return reply(401, status_body(401, "Unauthorized", "Unauthorized"));
    if (throttle_count > 0) {
      --throttle_count;
      auto response = reply(429, status_body(429, "TooManyRequests", "Too many requests, please try again later.",
                                             R"({"retryAfterSeconds":)" + std::to_string(retry_after) + "}"));
      response.set(http::field::retry_after, std::to_string(retry_after));
      return response;
    }
    for (const auto& [prefix, resource, user] : forbidden)
      if (r.path.rfind(prefix, 0) == 0)
        return reply(403, status_body(403, "Forbidden",
                                      resource + " is forbidden: User \"" + user + "\" cannot list resource \"" +
                                          resource + "\" in API group \"\" at the cluster scope",
                                      R"({"kind":")" + resource + R"("})"));
    if (auto written = write(r, request.body())) return std::move(*written);
    if (r.method != "GET") return reply(405, status_body(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
    if (r.path == "/api") return reply(200, kCoreVersions);
    if (r.path == "/api/v1") return reply(200, kCoreResources);
    if (r.path == "/apis") {
      if (!policy_reports) return reply(200, kGroups);
      std::string groups = kGroups;
      groups.insert(groups.rfind("\n]}"), ",\n" + std::string(kPolicyReportGroup));
      return reply(200, groups);
    }
    if (r.path == "/apis/wgpolicyk8s.io/v1alpha2" && policy_reports) return reply(200, kPolicyReportResources);
    if (r.path == "/apis/apps/v1") return reply(200, kAppsResources);
    if (r.path == "/apis/autoscaling/v2") return reply(200, kAutoscalingResources);
    if (r.path == "/apis/metrics.k8s.io/v1beta1") {
      if (metrics_broken) return reply(503, "service unavailable\n", "text/plain; charset=utf-8");
      return reply(200, kMetricsResources);
    }
    return list(r, watch);
  }

  // GET, POST, PUT and DELETE of one object of a writable collection, as the
  // API server answers them: 201 Created, 409 AlreadyExists, 409 Conflict for a
  // stale resourceVersion, 422 for an update without one, 404 NotFound. nullopt:
  // not a writable collection's request (a LIST falls through to list()).
  std::optional<http::response<http::string_body>> write(const RecordedRequest& r, const std::string& body) {
    std::string collection = r.path, ns;
    if (auto at = collection.find("/namespaces/"); at != std::string::npos) {
      auto rest = collection.substr(at + 12);
      auto slash = rest.find('/');
      if (slash == std::string::npos) return std::nullopt;
      ns = rest.substr(0, slash);
      collection = collection.substr(0, at) + rest.substr(slash);
    }
    std::string name;
    if (!writable.count(collection)) {
      const auto slash = collection.rfind('/');
      if (slash == std::string::npos || !writable.count(collection.substr(0, slash))) return std::nullopt;
      name = collection.substr(slash + 1);
      collection.resize(slash);
    }
    const std::string resource = collection.substr(collection.rfind('/') + 1) + ".wgpolicyk8s.io";
    auto& stored = collections[collection];
    const auto find = [&](const std::string& n) {
      return std::find_if(stored.begin(), stored.end(), [&](const Stored& s) { return s.namespace_ == ns && s.name == n; });
    };
    const auto not_found = [&](const std::string& n) {
      return reply(404, status_body(404, "NotFound", resource + " \"" + n + "\" not found"));
    };
    const auto keep = [&](Stored& into, const json::Value& object, const std::string& n) {
      into.namespace_ = ns;
      into.name = n;
      into.object = set_metadata(object, {{"resourceVersion", std::to_string(++object_resource_version)}});
      auto kept = json::parse(into.object);
      const json::Value* metadata = kept ? kept->root.find("metadata") : nullptr;
      into.metadata = metadata ? json::to_string(*metadata) : "{}";
    };
    if (r.method == "GET") {
      if (name.empty()) return std::nullopt;
      auto it = find(name);
      if (it == stored.end()) return not_found(name);
      return reply(200, it->object);
    }
    if (r.method == "DELETE") {
      auto it = find(name);
      if (name.empty() || it == stored.end()) return not_found(name);
      stored.erase(it);
      return reply(200, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"})");
    }
    auto doc = json::parse(body);
    if (!doc || !doc->root.is_object())
      return reply(400, status_body(400, "BadRequest", "the body of the request was in an unknown format"));
    const json::Value* metadata = doc->root.find("metadata");
    const std::string object_name(metadata ? metadata->string_at("name") : "");
    const std::string object_namespace(metadata ? metadata->string_at("namespace") : "");
    if (object_name.empty()) return reply(422, status_body(422, "Invalid", resource + ": metadata.name: Required value"));
    if (object_namespace != ns)
      return reply(400, status_body(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"));
    if (r.method == "POST" && name.empty()) {
      if (deleted_namespaces.count(ns))
        return reply(404, status_body(404, "NotFound", "namespaces \"" + ns + "\" not found"));
      if (find(object_name) != stored.end())
        return reply(409, status_body(409, "AlreadyExists", resource + " \"" + object_name + "\" already exists"));
      Stored created;
      keep(created, json::parse(set_metadata(doc->root, {{"uid", "uid-" + std::to_string(object_resource_version)},
                                                         {"creationTimestamp", "2026-12-07T03:00:00Z"}}))->root,
           object_name);
      stored.push_back(created);
      return reply(201, created.object);
    }
    if (r.method == "PUT" && !name.empty()) {
      if (object_name != name)
        return reply(400, status_body(400, "BadRequest", "the name of the object does not match the name on the URL"));
      auto it = find(name);
      if (it == stored.end()) return not_found(name);
      if (change_before_put > 0) {
        // Another writer got there first: the stored object moves on.
        --change_before_put;
        auto current = json::parse(it->object);
        keep(*it, current->root, name);
      }
      const std::string given(metadata->string_at("resourceVersion"));
      if (given.empty())
        return reply(422, status_body(422, "Invalid", resource + " \"" + name +
                                                          "\" is invalid: metadata.resourceVersion: Invalid value: 0x0: "
                                                          "must be specified for an update"));
      auto current = json::parse(it->object);
      if (given != current->root.find("metadata")->string_at("resourceVersion"))
        return reply(409, status_body(409, "Conflict",
                                      "Operation cannot be fulfilled on " + resource + " \"" + name +
                                          "\": the object has been modified; please apply your changes to the "
                                          "latest version and try again"));
      keep(*it, doc->root, name);
      return reply(200, it->object);
    }
    return reply(405, status_body(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  }

  http::response<http::string_body> list(const RecordedRequest& r, std::shared_ptr<WatchStream>& watch) {
    // /api/v1/namespaces/<ns>/<resource> or /api/v1/<resource> (and /apis/<g>/<v>/...).
    std::string collection = r.path, ns;
    auto at = collection.find("/namespaces/");
    if (at != std::string::npos) {
      auto rest = collection.substr(at + 12);
      auto slash = rest.find('/');
      if (slash != std::string::npos) {
        ns = rest.substr(0, slash);
        collection = collection.substr(0, at) + rest.substr(slash);
      }
    }
    const std::string accept = r.headers.count("accept") ? r.headers.at("accept") : "";
    if (auto w = r.query.find("watch"); w != r.query.end() && (w->second == "1" || w->second == "true")) {
      watch = std::make_shared<WatchStream>();
      watch->collection = collection;
      watch->metadata_only = accept.find("as=PartialObjectMetadata;") != std::string::npos ||
                             accept.find("as=PartialObjectMetadata,") != std::string::npos;
      watches.push_back(watch);
      ++watch_request_count;
      changed.notify_all();
      return reply(200, "");
    }
    auto found = collections.find(collection);
    if (found == collections.end() && !ns.empty()) {
      // GET of one object: <collection>/<name>.
      auto slash = collection.rfind('/');
      auto parent = collections.find(collection.substr(0, slash));
      if (parent != collections.end()) {
        std::string name = collection.substr(slash + 1);
        for (const auto& stored : parent->second)
          if (stored.namespace_ == ns && stored.name == name) {
            if (accept.find("as=PartialObjectMetadata") != std::string::npos) {
              auto response = reply(200, partial_object_metadata(stored.object));
              response.set(http::field::content_type, "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
              return response;
            }
            return reply(200, stored.object);
          }
        std::string plural = collection.substr(0, slash);
        plural = plural.substr(plural.rfind('/') + 1);
        return reply(404, status_body(404, "NotFound", plural + " \"" + name + "\" not found",
                                      R"({"name":")" + name + R"(","kind":")" + plural + R"("})"));
      }
    }
    if (found == collections.end())
      return reply(404, status_body(404, "NotFound", "the server could not find the requested resource"));

    std::size_t limit = r.query.count("limit") ? std::stoul(r.query.at("limit")) : 0;
    std::size_t start = 0;
    if (auto c = r.query.find("continue"); c != r.query.end() && !c->second.empty()) {
      if (expire_count > 0) {
        --expire_count;
        return reply(410, status_body(410, "Expired",
                                      "The provided continue parameter is too old to display a consistent list "
                                      "result. You can start a new list without the continue parameter, or use the "
                                      "continue token in this response to retrieve the remainder of the results. "
                                      "Continuing with the provided token results in an inconsistent list - objects "
                                      "that were created, modified, or deleted between the time the first chunk was "
                                      "returned and now may show up in the list."));
      }
      auto token = base64_decode(c->second);
      auto doc = token ? json::parse(*token) : Result<json::Document>(Error{"bad"});
      if (!doc) return reply(400, status_body(400, "BadRequest", "continue key is not valid: illegal base64 data"));
      start = std::stoul(std::string(doc->root.string_at("start")));
    }
    std::vector<const Stored*> matching;
    const std::string selector = r.query.count("labelSelector") ? r.query.at("labelSelector") : "";
    for (const auto& s : found->second)
      if ((ns.empty() || s.namespace_ == ns) && labels_match(s.object, selector)) matching.push_back(&s);

    bool metadata_only = r.headers.count("accept") && r.headers.at("accept").find("as=PartialObjectMetadataList") != std::string::npos;
    auto [kind, api_version] = list_kind(collection);
    if (metadata_only) {
      kind = "PartialObjectMetadataList";
      api_version = "meta.k8s.io/v1";
    }
    std::size_t end = limit == 0 ? matching.size() : std::min(matching.size(), start + limit);
    std::string body = R"({"kind":")" + kind + R"(","apiVersion":")" + api_version + R"(","metadata":{"resourceVersion":")" +
                       std::to_string(list_resource_version) + "\"";
    if (end < matching.size()) {
      std::string token = R"({"v":"meta.k8s.io/v1","rv":)" + std::to_string(list_resource_version) +
                          R"(,"start":")" + std::to_string(end) + R"("})";
      body += R"(,"continue":")" + base64_encode(token) + R"(","remainingItemCount":)" +
              std::to_string(matching.size() - end);
    }
    body += R"(},"items":[)";
    for (std::size_t i = start; i < end; ++i) {
      if (i > start) body += ',';
      if (metadata_only)
        body += R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":)" + matching[i]->metadata + "}";
      else
        body += matching[i]->object;
    }
    body += "]}";
    auto response = reply(200, std::move(body));
    if (metadata_only)
      response.set(http::field::content_type, "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
    return response;
  }
};

FakeApiServer::FakeApiServer(FakeOptions options) : impl_(std::make_unique<Impl>(*this, options)) {
  port_ = impl_->acceptor.local_endpoint().port();
}
FakeApiServer::~FakeApiServer() = default;

std::string FakeApiServer::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

void FakeApiServer::add_object(const std::string& collection, const std::string& object) {
  auto doc = json::parse(object);
  if (!doc) throw std::runtime_error("fake apiserver: bad object JSON: " + doc.error());
  Stored stored;
  stored.object = object;
  const json::Value* metadata = doc->root.find("metadata");
  stored.metadata = metadata ? json::to_string(*metadata) : "{}";
  stored.namespace_ = metadata ? std::string(metadata->string_at("namespace")) : "";
  stored.name = metadata ? std::string(metadata->string_at("name")) : "";
  std::lock_guard lock(impl_->mutex);
  impl_->collections[collection].push_back(std::move(stored));
}

void FakeApiServer::add_configmaps(int n, const std::string& ns) {
  for (int i = 0; i < n; ++i) {
    std::string name = "app-config-" + std::to_string(i);
    // After `kubectl edit` of data.DB_HOST, kustomize-controller no longer owns
    // that field and kubectl-edit does (kubernetes-facts.md).
    add_object("/api/v1/configmaps",
               R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                   R"(","uid":"7a2e3c4d-0000-4000-8000-)" + std::to_string(100000000000 + i) +
                   R"(","resourceVersion":")" + std::to_string(1000 + i) +
                   R"(","creationTimestamp":"2026-05-01T10:00:00Z","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},"managedFields":[)"
                   R"({"manager":"kustomize-controller","operation":"Apply","apiVersion":"v1","time":"2026-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:LOG_LEVEL":{}},"f:metadata":{"f:labels":{"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}}}},)"
                   R"({"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-05-03T02:14:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:DB_HOST":{}}}}]},)"
                   R"("data":{"DB_HOST":"10.0.0.12","LOG_LEVEL":"info"}})");
  }
}

void FakeApiServer::add_deployments(int n, const std::string& ns) {
  for (int i = 0; i < n; ++i) {
    std::string name = "users-api-" + std::to_string(i);
    add_object("/apis/apps/v1/deployments",
               R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                   R"(","uid":"9b1f0000-0000-4000-8000-)" + std::to_string(100000000000 + i) +
                   R"(","resourceVersion":")" + std::to_string(5000 + i) +
                   R"(","generation":3,"creationTimestamp":"2026-04-01T09:00:00Z","labels":{"app":"users-api","kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system"},"annotations":{"deployment.kubernetes.io/revision":"3"},"managedFields":[)"
                   R"({"manager":"kustomize-controller","operation":"Apply","apiVersion":"apps/v1","time":"2026-04-01T09:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{},"f:kustomize.toolkit.fluxcd.io/name":{},"f:kustomize.toolkit.fluxcd.io/namespace":{}}},"f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"users-api\"}":{".":{},"f:image":{},"f:name":{}}}}}}}},)"
                   R"({"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"}]},)"
                   R"("spec":{"replicas":5,"selector":{"matchLabels":{"app":"users-api"}},"template":{"metadata":{"labels":{"app":"users-api"}},"spec":{"containers":[{"name":"users-api","image":"registry.example.com/users-api:1.4.2"}]}}},)"
                   R"("status":{"replicas":5,"readyReplicas":5,"observedGeneration":3}})");
  }
}

void FakeApiServer::expire_continue_tokens(int n) {
  std::lock_guard lock(impl_->mutex);
  impl_->expire_count = n;
}
void FakeApiServer::throttle(int n, int retry_after_seconds) {
  std::lock_guard lock(impl_->mutex);
  impl_->throttle_count = n;
  impl_->retry_after = retry_after_seconds;
}
void FakeApiServer::forbid(const std::string& prefix, const std::string& resource, const std::string& user) {
  std::lock_guard lock(impl_->mutex);
  impl_->forbidden.emplace_back(prefix, resource, user);
}
void FakeApiServer::allow_all() {
  std::lock_guard lock(impl_->mutex);
  impl_->forbidden.clear();
}
void FakeApiServer::require_token(const std::string& token) {
  std::lock_guard lock(impl_->mutex);
  impl_->required_token = token;
}
void FakeApiServer::close_after_each_response(bool close) {
  std::lock_guard lock(impl_->mutex);
  impl_->close_each = close;
}
void FakeApiServer::drop_connections_silently(bool drop) {
  std::lock_guard lock(impl_->mutex);
  impl_->drop_silently = drop;
}
void FakeApiServer::break_metrics_group(bool broken) {
  std::lock_guard lock(impl_->mutex);
  impl_->metrics_broken = broken;
}
void FakeApiServer::delete_namespace(const std::string& ns) {
  std::lock_guard lock(impl_->mutex);
  impl_->deleted_namespaces.insert(ns);
}
void FakeApiServer::clear_objects(const std::string& collection) {
  std::lock_guard lock(impl_->mutex);
  impl_->collections[collection].clear();
}
void FakeApiServer::add_collection(const std::string& collection) {
  std::lock_guard lock(impl_->mutex);
  impl_->collections[collection];
}
void FakeApiServer::serve_policy_reports() {
  std::lock_guard lock(impl_->mutex);
  impl_->policy_reports = true;
  for (const char* c : {"/apis/wgpolicyk8s.io/v1alpha2/policyreports", "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports"}) {
    impl_->writable.insert(c);
    impl_->collections[c];
  }
}
void FakeApiServer::change_before_next_puts(int n) {
  std::lock_guard lock(impl_->mutex);
  impl_->change_before_put = n;
}
std::vector<std::string> FakeApiServer::objects(const std::string& collection) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> out;
  auto found = impl_->collections.find(collection);
  if (found != impl_->collections.end())
    for (const auto& s : found->second) out.push_back(s.object);
  return out;
}
void FakeApiServer::set_list_resource_version(std::uint64_t resource_version) {
  std::lock_guard lock(impl_->mutex);
  impl_->list_resource_version = resource_version;
}
void FakeApiServer::push_event(const std::string& collection, const std::string& type, const std::string& object) {
  WatchLine line;
  line.full = R"({"type":")" + type + R"(","object":)" + object + "}";
  line.metadata = type == "ERROR" ? line.full
                                  : R"({"type":")" + type + R"(","object":)" + partial_object_metadata(object) + "}";
  std::lock_guard lock(impl_->mutex);
  for (auto& w : impl_->watches)
    if (w->collection == collection) w->lines.push_back(line);
  impl_->changed.notify_all();
}
void FakeApiServer::push_line(const std::string& collection, const std::string& text) {
  std::lock_guard lock(impl_->mutex);
  for (auto& w : impl_->watches)
    if (w->collection == collection) w->lines.push_back({text, text});
  impl_->changed.notify_all();
}
void FakeApiServer::close_watches() {
  std::lock_guard lock(impl_->mutex);
  for (auto& w : impl_->watches) w->end = true;
  impl_->changed.notify_all();
}
void FakeApiServer::drop_watches() {
  std::lock_guard lock(impl_->mutex);
  for (auto& w : impl_->watches) w->drop = true;
  impl_->changed.notify_all();
}
std::size_t FakeApiServer::open_watches() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->watches.size();
}
std::size_t FakeApiServer::watch_requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->watch_request_count;
}
bool FakeApiServer::wait_for_watches(std::size_t n, std::size_t open, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] {
    return impl_->watch_request_count >= n && impl_->watches.size() >= open;
  });
}

std::vector<RecordedRequest> FakeApiServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recorded;
}
void FakeApiServer::clear_requests() {
  std::lock_guard lock(impl_->mutex);
  impl_->recorded.clear();
}

}  // namespace driftgate::kube::testing
