#include "admission/review.h"

#include "json/writer.h"
#include "util/base64.h"
#include "util/utf8.h"

namespace driftgate::admission {
namespace {

constexpr std::string_view kV1 = "admission.k8s.io/v1";
constexpr std::string_view kV1beta1 = "admission.k8s.io/v1beta1";

std::string_view type_name(const json::Value& v) {
  switch (v.type()) {
    case json::Type::Null: return "null";
    case json::Type::Bool: return "a boolean";
    case json::Type::Integer:
    case json::Type::Double: return "a number";
    case json::Type::String: return "a string";
    case json::Type::Array: return "an array";
    case json::Type::Object: return "an object";
  }
  return "?";
}

Error wrong_type(std::string_view field, std::string_view expected, const json::Value& found) {
  return Error{std::string(field) + ": expected " + std::string(expected) + ", found " + std::string(type_name(found))};
}

// An optional string member: "" when absent or null, an error when another type.
std::optional<Error> optional_string(const json::Value& parent, std::string_view key, std::string_view field,
                                     std::string_view& out) {
  const json::Value* v = parent.find(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) return wrong_type(field, "a string", *v);
  out = v->as_string();
  return std::nullopt;
}

}  // namespace

Result<Review> decode(const json::Value& root) {
  if (!root.is_object()) return wrong_type("the body", "an AdmissionReview object", root);
  Review review;
  const json::Value* api = root.find("apiVersion");
  if (!api || !api->is_string()) return Error{"apiVersion: expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"};
  if (api->as_string() != kV1 && api->as_string() != kV1beta1)
    return Error{"apiVersion: \"" + std::string(api->as_string()) +
                 "\" is not supported, expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"};
  review.api_version = api->as_string();
  if (root.string_at("kind") != "AdmissionReview") return Error{"kind: expected AdmissionReview"};
  const json::Value* req = root.find("request");
  if (!req || req->is_null()) return Error{"request: missing (an AdmissionReview sent to a webhook has a request)"};
  if (!req->is_object()) return wrong_type("request", "an object", *req);

  engine::Request& r = review.request;
  const json::Value* uid = req->find("uid");
  if (!uid || !uid->is_string() || uid->as_string().empty()) return Error{"request.uid: missing or not a string"};
  r.uid = uid->as_string();

  const json::Value* kind = req->find("kind");
  if (!kind || !kind->is_object()) return Error{"request.kind: expected an object {group, version, kind}"};
  if (auto e = optional_string(*kind, "group", "request.kind.group", r.kind.group)) return *e;
  if (auto e = optional_string(*kind, "version", "request.kind.version", r.kind.version)) return *e;
  if (auto e = optional_string(*kind, "kind", "request.kind.kind", r.kind.kind)) return *e;
  if (r.kind.kind.empty()) return Error{"request.kind.kind: missing"};

  if (const json::Value* resource = req->find("resource"); resource && resource->is_object()) {
    if (auto e = optional_string(*resource, "resource", "request.resource.resource", r.resource)) return *e;
    if (auto e = optional_string(*resource, "group", "request.resource.group", review.resource_group)) return *e;
    if (auto e = optional_string(*resource, "version", "request.resource.version", review.resource_version)) return *e;
  }
  if (auto e = optional_string(*req, "subResource", "request.subResource", r.sub_resource)) return *e;
  if (auto e = optional_string(*req, "name", "request.name", r.name)) return *e;
  if (auto e = optional_string(*req, "namespace", "request.namespace", r.namespace_)) return *e;
  // A Namespace is cluster-scoped, yet the API server sends its own name as
  // request.namespace (observed on 1.28). The contract gives a cluster-scoped
  // object the namespace "": for `namespaces` globs, templates and audit lines.
  if (r.kind.group.empty() && r.kind.kind == "Namespace") r.namespace_ = {};

  std::string_view operation;
  if (auto e = optional_string(*req, "operation", "request.operation", operation)) return *e;
  auto op = policy::parse_operation(operation);
  if (!op) return Error{"request.operation: expected CREATE, UPDATE, DELETE or CONNECT, found \"" + std::string(operation) + "\""};
  r.operation = *op;

  const json::Value* user = req->find("userInfo");
  if (!user || !user->is_object()) return Error{"request.userInfo: expected an object with username"};
  if (auto e = optional_string(*user, "username", "request.userInfo.username", r.user.username)) return *e;
  if (const json::Value* groups = user->find("groups"); groups && !groups->is_null()) {
    if (!groups->is_array()) return wrong_type("request.userInfo.groups", "an array of strings", *groups);
    for (std::size_t i = 0; i < groups->size(); ++i) {
      const json::Value& g = groups->items()[i];
      if (!g.is_string()) return wrong_type("request.userInfo.groups[" + std::to_string(i) + "]", "a string", g);
      r.user.groups.push_back(g.as_string());
    }
  }

  for (auto [key, out] : {std::pair{"object", &r.object}, std::pair{"oldObject", &r.old_object}}) {
    const json::Value* v = req->find(key);
    if (!v || v->is_null()) continue;
    if (!v->is_object()) return wrong_type(std::string("request.") + key, "an object", *v);
    *out = *v;
  }
  if ((r.operation == policy::kCreate || r.operation == policy::kUpdate) && !r.object.is_object())
    return Error{"request.object: missing, a " + std::string(policy::to_string(r.operation)) + " carries the object"};

  if (const json::Value* dry = req->find("dryRun"); dry && !dry->is_null()) {
    if (!dry->is_bool()) return wrong_type("request.dryRun", "a boolean", *dry);
    r.dry_run = dry->as_bool();
  }
  if (const json::Value* options = req->find("options"); options && options->is_object())
    review.field_manager = options->string_at("fieldManager");
  return review;
}

namespace {

// Truncates to at most `limit` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string s, std::size_t limit) {
  if (s.size() <= limit) return s;
  constexpr std::string_view kEllipsis = "...";
  std::size_t cut = limit - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += kEllipsis;
  return s;
}

// Control characters become spaces and invalid UTF-8 is dropped: the API server
// silently discards a warning holding either.
std::string clean_warning(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    std::size_t n = utf8_sequence_length(in, i);
    if (n == 0) {
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      out.push_back(' ');
      ++i;
    } else {
      out.append(in.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> sanitize_warnings(const std::vector<std::string>& warnings) {
  std::vector<std::string> out;
  std::size_t total = 0;
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    std::string w = truncate_utf8(clean_warning(warnings[i]), kMaxWarningLength);
    std::string more = "and " + std::to_string(warnings.size() - i) + " more warnings: see the driftgate audit log";
    if (total + w.size() + more.size() > kMaxWarningsTotal) {
      out.push_back(more);
      break;
    }
    total += w.size();
    out.push_back(std::move(w));
  }
  return out;
}

std::string encode_response(const Review& review, const engine::Decision& decision, const ResponseOptions& options) {
  json::Writer w;
  w.begin_object().field("apiVersion", review.api_version).field("kind", "AdmissionReview");
  w.key("response").begin_object().field("uid", review.request.uid).field("allowed", decision.allowed);
  if (!decision.allowed) {
    w.key("status").begin_object().field("code", 403).field("reason", "Forbidden");
    w.field("message", decision.message).end_object();
  }
  if (!decision.warnings.empty()) w.strings("warnings", sanitize_warnings(decision.warnings));
  // Only a mutating webhook may return a patch, never an empty one, never on DELETE.
  if (options.include_patch && !decision.patch.empty() && review.request.operation != policy::kDelete)
    w.field("patchType", "JSONPatch").field("patch", base64_encode(decision.patch));
  return w.end_object().end_object().take();
}

}  // namespace driftgate::admission
