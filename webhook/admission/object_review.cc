#include "admission/object_review.h"

#include <utility>

#include "json/writer.h"
#include "kube_kinds/kube_kinds.h"

namespace driftgate::admission {
namespace {

// The parent a Scale is taken to be of when a request does not name one.
struct ScaleParent {
  std::string_view group, version, resource;
};
constexpr ScaleParent kScaleParent{"apps", "v1", "deployments"};

// An object member list with `key` replaced (or added, or dropped when `value` is null).
json::Value with_member(const json::Value& object, std::string_view key, const json::Value* value, json::Arena& arena) {
  const auto members = object.members();
  json::Member* out = arena.allocate<json::Member>(members.size() + 1);
  std::size_t n = 0;
  bool replaced = false;
  for (const json::Member& m : members) {
    if (m.key == key) {
      replaced = true;
      if (value) out[n++] = {m.key, *value};
    } else {
      out[n++] = m;
    }
  }
  if (!replaced && value) out[n++] = {arena.copy(key), *value};
  return json::Value::object({out, n});
}

}  // namespace

bool is_namespaced(std::string_view api_version, std::string_view kind) {
  const kube_kinds::KindInfo* known = kube_kinds::find(kube_kinds::split_api_version(api_version).first, kind);
  return known ? known->namespaced : true;
}

std::string review_from_request(const json::Value& request, const RequestDefaults& defaults) {
  std::string_view operation = request.string_at("operation");
  if (operation.empty()) operation = "CREATE";
  const json::Value* object = request.find(operation == "DELETE" ? "oldObject" : "object");
  json::Value empty;
  const json::Value& subject = object ? *object : empty;
  const json::Value* metadata = subject.find("metadata");
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  const auto api_version = kube_kinds::split_api_version(subject.string_at("apiVersion"));
  const std::string_view group = api_version.first, version = api_version.second;
  std::string_view kind = subject.string_at("kind");
  // The resource written: the kind's own, in its group and version, except for a
  // kind that only exists as a subresource's request.
  std::string_view resource_group = group, resource_version = version;
  std::string resource, sub_resource;
  if (const kube_kinds::KindInfo* known = kube_kinds::find(group, kind)) {
    resource = std::string(known->resource);
    if (known->subresource_only()) {
      const auto slash = resource.find('/');
      sub_resource = resource.substr(slash + 1);
      resource.resize(slash);
      if (resource == "*") {
        // A Scale does not say whose it is: without a `resource` it is taken to be
        // a Deployment's (kubectl scale deployment, the HPA's usual target).
        resource_group = kScaleParent.group, resource_version = kScaleParent.version, resource = kScaleParent.resource;
      } else {
        // Eviction (pods/eviction), TokenRequest (serviceaccounts/token): a resource
        // of the core group, whose only version is v1.
        resource_group = known->resource_group(), resource_version = "v1";
      }
    }
  } else {
    resource = kube_kinds::guess_resource(kind);
  }
  std::string name = metadata ? std::string(metadata->string_at("name")) : "";
  std::string namespace_ = metadata ? std::string(metadata->string_at("namespace")) : "";
  // The API server sends a Namespace's own name as its request's namespace.
  if (group.empty() && kind == "Namespace") namespace_ = name;

  json::Writer w;
  w.begin_object().field("apiVersion", "admission.k8s.io/v1").field("kind", "AdmissionReview");
  w.key("request").begin_object();
  auto gvk = [&](std::string_view g, std::string_view v, std::string_view last_key, std::string_view last) {
    return json::Writer().begin_object().field("group", g).field("version", v).field(last_key, last).end_object().take();
  };
  for (const json::Member& m : request.members()) w.field(m.key, m.value);
  auto missing = [&](std::string_view key) { return request.find(key) == nullptr; };
  // What the request gives, else what is derived: the request* members are the same
  // as the ones they mirror unless given apart.
  auto given_or = [&](std::string_view key, std::string derived) {
    const json::Value* v = request.find(key);
    return v ? json::to_string(*v) : derived;
  };
  const std::string kind_json = given_or("kind", gvk(group, version, "kind", kind));
  const std::string resource_json = given_or("resource", gvk(resource_group, resource_version, "resource", resource));
  if (!missing("subResource")) sub_resource = std::string(request.string_at("subResource"));
  if (missing("uid")) w.field("uid", defaults.uid);
  if (missing("operation")) w.field("operation", operation);
  if (missing("kind")) w.key("kind").raw(kind_json);
  if (missing("resource")) w.key("resource").raw(resource_json);
  if (missing("requestKind")) w.key("requestKind").raw(kind_json);
  if (missing("requestResource")) w.key("requestResource").raw(resource_json);
  if (missing("subResource") && !sub_resource.empty()) w.field("subResource", sub_resource);
  if (missing("requestSubResource") && !sub_resource.empty()) w.field("requestSubResource", sub_resource);
  if (missing("namespace") && !namespace_.empty()) w.field("namespace", namespace_);
  if (missing("name") && metadata) w.field("name", name);
  if (missing("userInfo")) {
    w.key("userInfo").begin_object().field("username", defaults.username);
    if (!defaults.groups.empty()) w.strings("groups", defaults.groups);
    w.end_object();
  }
  if (missing("dryRun")) w.field("dryRun", false);
  return w.end_object().end_object().take();
}

std::string review_for_object(const json::Value& object, const ObjectWrite& write, const RequestDefaults& defaults,
                              json::Arena& arena) {
  const json::Value* metadata = object.find("metadata");
  json::Value settled = object;
  if (metadata && metadata->is_object()) {
    const bool namespaced = is_namespaced(object.string_at("apiVersion"), object.string_at("kind"));
    const bool has_namespace = !metadata->string_at("namespace").empty();
    if (namespaced && !has_namespace) {
      const json::Value ns = json::Value::string(arena.copy(write.default_namespace));
      const json::Value new_metadata = with_member(*metadata, "namespace", &ns, arena);
      settled = with_member(object, "metadata", &new_metadata, arena);
    } else if (!namespaced && metadata->find("namespace")) {
      const json::Value new_metadata = with_member(*metadata, "namespace", nullptr, arena);
      settled = with_member(object, "metadata", &new_metadata, arena);
    }
  }
  json::Member* members = arena.allocate<json::Member>(3);
  std::size_t n = 0;
  members[n++] = {"operation", json::Value::string(arena.copy(write.operation))};
  members[n++] = {"object", settled};
  if (write.old_object) members[n++] = {"oldObject", *write.old_object};
  return review_from_request(json::Value::object({members, n}), defaults);
}

}  // namespace driftgate::admission
