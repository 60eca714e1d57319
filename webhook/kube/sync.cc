#include "kube/sync.h"

#include <map>
#include <utility>

#include "json/parse.h"
#include "json/writer.h"
#include "kube/status.h"

namespace driftgate::kube {
namespace {

constexpr int kMaxConflicts = 3;  // 409s in a row on one object before giving up

std::string collection_path(const SyncTarget& t, const std::string& ns) {
  std::string out = t.group_version_path;
  if (t.namespaced && !ns.empty()) out.append("/namespaces/").append(ns);
  return out.append("/").append(t.resource);
}

Error failed(std::string_view what, const Response& r) { return Error{describe_error(r.status, r.body, what)}; }

// The stored object: its resourceVersion ("" when it does not exist) and whether it
// carries the target's label (selector "key=value"): an object of the same name that
// driftgate did not write is someone else's, never replaced.
struct Stored {
  std::string version;
  bool labelled = false;
};

bool carries_label(const json::Value& metadata, std::string_view selector) {
  const auto equals = selector.find('=');
  if (equals == std::string_view::npos) return false;
  const json::Value* labels = metadata.find("labels");
  const json::Value* value = labels ? labels->find(selector.substr(0, equals)) : nullptr;
  return value && value->is_string() && value->as_string() == selector.substr(equals + 1);
}

Result<Stored> stored_object(Client& client, const std::string& path, std::string_view selector) {
  auto got = client.get(path);
  if (!got) return Error{got.error()};
  if (got->status == 404) return Stored{};
  if (got->status != 200) return failed("GET " + path, *got);
  auto doc = json::parse(got->body);
  if (!doc) return Error{"GET " + path + ": " + doc.error()};
  const json::Value* metadata = doc->root.find("metadata");
  if (!metadata) return Stored{};
  return Stored{std::string(metadata->string_at("resourceVersion")), carries_label(*metadata, selector)};
}

}  // namespace

std::string with_resource_version(std::string_view text, std::string_view resource_version) {
  auto doc = json::parse(text);
  if (!doc || !doc->root.is_object()) return std::string(text);
  json::Writer w;
  w.begin_object();
  bool had_metadata = false;
  for (const json::Member& m : doc->root.members()) {
    if (m.key != "metadata" || !m.value.is_object()) {
      w.field(m.key, m.value);
      continue;
    }
    had_metadata = true;
    w.key("metadata").begin_object();
    for (const json::Member& meta : m.value.members())
      if (meta.key != "resourceVersion") w.field(meta.key, meta.value);
    if (!resource_version.empty()) w.field("resourceVersion", resource_version);
    w.end_object();
  }
  if (!had_metadata && !resource_version.empty())
    w.key("metadata").begin_object().field("resourceVersion", resource_version).end_object();
  return w.end_object().take();
}

Result<SyncResult> sync_objects(Client& client, const SyncTarget& target, const std::vector<SyncObject>& objects) {
  SyncResult result;
  // What driftgate owns now: (namespace, name) -> resourceVersion. A handful of
  // objects (one per namespace): one LIST without pages.
  const std::string list_path = collection_path(target, target.only_namespace) + "?labelSelector=" +
                                query_escape(target.label_selector);
  auto listed = client.get(list_path);
  if (!listed) return Error{listed.error()};
  if (listed->status == 404)  // the API server does not serve the resource at all
    return Error{describe_error(listed->status, listed->body, "GET " + list_path) + " (is " + target.resource +
                 "'s CustomResourceDefinition installed?)"};
  if (listed->status != 200) return failed("GET " + list_path, *listed);
  auto list = json::parse(listed->body);
  if (!list) return Error{"GET " + list_path + ": " + list.error()};
  std::map<std::pair<std::string, std::string>, std::string> owned;
  if (const json::Value* items = list->root.find("items"))
    for (const json::Value& item : items->items()) {
      const json::Value* metadata = item.find("metadata");
      if (!metadata) continue;
      owned[{std::string(metadata->string_at("namespace")), std::string(metadata->string_at("name"))}] =
          std::string(metadata->string_at("resourceVersion"));
    }

  for (const SyncObject& object : objects) {
    const std::string collection = collection_path(target, object.namespace_);
    const std::string path = collection + "/" + object.name;
    auto found = owned.find({object.namespace_, object.name});
    std::string version = found == owned.end() ? std::string() : found->second;
    if (found != owned.end()) owned.erase(found);
    bool create = version.empty();
    for (int attempt = 0;; ++attempt) {
      Result<Response> answer = create ? client.send("POST", collection, object.json)
                                       : client.send("PUT", path, with_resource_version(object.json, version));
      if (!answer) return Error{answer.error()};
      if (answer->status == 200 || answer->status == 201) {
        ++(create ? result.created : result.updated);
        break;
      }
      // A create of a namespaced object answered 404: its namespace is gone (the
      // collection exists: the LIST above read it).
      if (create && answer->status == 404 && target.namespaced && !object.namespace_.empty()) {
        ++result.skipped;
        break;
      }
      // 409: created meanwhile (POST), or changed since it was read (PUT); 404 on a
      // PUT: deleted meanwhile. Read it again and write once more.
      const bool retry = answer->status == 409 || (!create && answer->status == 404);
      if (!retry || attempt + 1 >= kMaxConflicts)
        return failed((create ? "POST " : "PUT ") + (create ? collection : path), *answer);
      result.conflicts += answer->status == 409;
      auto current = stored_object(client, path, target.label_selector);
      if (!current) return Error{current.error()};
      // A create that met an object the LIST (by label) did not show: not ours.
      if (create && !current->version.empty() && !current->labelled)
        return Error{path + " exists without the label " + target.label_selector +
                     ": driftgate did not write it and does not replace it (delete or rename it)"};
      version = current->version;
      create = version.empty();
    }
  }

  if (target.delete_stale) {
    for (const auto& [key, version] : owned) {
      const std::string path = collection_path(target, key.first) + "/" + key.second;
      auto answer = client.send("DELETE", path, "");
      if (!answer) return Error{answer.error()};
      if (answer->status == 404) continue;  // gone already
      if (answer->status != 200 && answer->status != 202) return failed("DELETE " + path, *answer);
      ++result.deleted;
    }
  }
  return result;
}

}  // namespace driftgate::kube
