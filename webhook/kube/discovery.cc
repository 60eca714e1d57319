#include "kube/discovery.h"

#include <algorithm>

#include "kube/client.h"

namespace driftgate::kube {

bool ApiResource::has_verb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

std::vector<ApiResource> Discovery::listable() const {
  std::vector<ApiResource> out;
  for (const auto& r : resources)
    if (r.listable()) out.push_back(r);
  return out;
}

const ApiResource* Discovery::find(std::string_view group, std::string_view name) const {
  for (const auto& r : resources)
    if (r.group == group && r.name == name) return &r;
  return nullptr;
}

Result<std::vector<ApiResource>> parse_resource_list(const json::Value& list, std::string_view group,
                                                     std::string_view version) {
  std::string gv = group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  if (list.string_at("kind") != "APIResourceList")
    return Error{gv + ": not an APIResourceList (kind \"" + std::string(list.string_at("kind")) + "\")"};
  std::vector<ApiResource> out;
  const json::Value* resources = list.find("resources");
  for (const json::Value& item : resources ? resources->items() : std::span<const json::Value>{}) {
    ApiResource r;
    r.group = std::string(group);
    r.version = std::string(version);
    r.name = std::string(item.string_at("name"));
    r.kind = std::string(item.string_at("kind"));
    if (r.name.empty() || r.kind.empty()) return Error{gv + ": a resource without name or kind"};
    r.subresource = r.name.find('/') != std::string::npos;
    if (const json::Value* ns = item.find("namespaced"); ns && ns->is_bool()) r.namespaced = ns->as_bool();
    if (const json::Value* verbs = item.find("verbs"))
      for (const json::Value& v : verbs->items())
        if (v.is_string()) r.verbs.emplace_back(v.as_string());
    // Present on resources whose objects are of another group version (Scale, Eviction).
    r.kind_group = item.find("group") ? std::string(item.string_at("group")) : r.group;
    r.kind_version = item.find("version") ? std::string(item.string_at("version")) : r.version;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<PreferredVersion>> parse_group_list(const json::Value& list) {
  if (list.string_at("kind") != "APIGroupList")
    return Error{"/apis: not an APIGroupList (kind \"" + std::string(list.string_at("kind")) + "\")"};
  std::vector<PreferredVersion> out;
  const json::Value* groups = list.find("groups");
  for (const json::Value& g : groups ? groups->items() : std::span<const json::Value>{}) {
    PreferredVersion p;
    p.group = std::string(g.string_at("name"));
    if (const json::Value* preferred = g.find("preferredVersion")) p.version = std::string(preferred->string_at("version"));
    if (p.version.empty())  // no preference stated: the first version listed, as kubectl
      if (const json::Value* versions = g.find("versions"); versions && versions->size() > 0)
        p.version = std::string(versions->items()[0].string_at("version"));
    if (p.group.empty() || p.version.empty()) return Error{"/apis: a group without name or version"};
    out.push_back(std::move(p));
  }
  return out;
}

Result<Discovery> discover(Client& client) {
  Discovery out;
  auto core = client.get_json("/api");
  if (!core) return Error{"discovery: " + core.error()};
  std::string core_version = "v1";
  if (const json::Value* versions = core->root.find("versions"); versions && versions->size() > 0)
    core_version = std::string(versions->items()[0].as_string());
  auto core_list = client.get_json("/api/" + core_version);
  if (!core_list) return Error{"discovery: " + core_list.error()};
  auto core_resources = parse_resource_list(core_list->root, "", core_version);
  if (!core_resources) return Error{"discovery: " + core_resources.error()};
  out.resources = std::move(*core_resources);

  auto apis = client.get_json("/apis");
  if (!apis) return Error{"discovery: " + apis.error()};
  auto groups = parse_group_list(apis->root);
  if (!groups) return Error{"discovery: " + groups.error()};
  for (const auto& g : *groups) {
    std::string gv = g.group + "/" + g.version;
    auto list = client.get_json("/apis/" + gv);
    if (!list) {
      out.failures.push_back(gv + ": " + list.error());
      continue;
    }
    auto resources = parse_resource_list(list->root, g.group, g.version);
    if (!resources) {
      out.failures.push_back(resources.error());
      continue;
    }
    for (auto& r : *resources) out.resources.push_back(std::move(r));
  }
  return out;
}

}  // namespace driftgate::kube
