#pragma once
// Small builders shared by the engine, admission and audit tests.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/request.h"
#include "json/parse.h"
#include "json/yaml.h"
#include "policy/loader.h"
#include "util/time.h"

namespace driftgate::testing {

// A policy set from YAML text; fails the test when it does not load.
inline std::shared_ptr<const policy::PolicySet> policies(const std::string& yaml) {
  auto result = policy::load_sources({{"test.yaml", yaml}});
  EXPECT_TRUE(result.ok()) << result.error_text();
  return result.set ? result.set : std::make_shared<const policy::PolicySet>();
}

// Keeps parsed documents alive for the lifetime of a test's requests.
class Documents {
 public:
  json::Value yaml(const std::string& text) { return keep(json::parse_yaml(text)); }
  json::Value json(std::string_view text) { return keep(json::parse(text)); }

 private:
  json::Value keep(Result<json::Document> doc) {
    EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error());
    if (!doc.ok()) return {};
    docs_.push_back(std::move(*doc));
    return docs_.back().root;
  }

  std::vector<json::Document> docs_;
};

inline engine::Request request(policy::Operation op, const json::Value& object, const json::Value& old_object,
                               std::string_view user = "alice@example.com",
                               std::vector<std::string_view> groups = {"devs", "system:authenticated"}) {
  engine::Request r;
  r.uid = "uid-1";
  r.operation = op;
  r.object = object;
  r.old_object = old_object;
  const json::Value& subject = r.subject();
  std::string_view api = subject.string_at("apiVersion");
  auto slash = api.find('/');
  r.kind = slash == std::string_view::npos ? engine::GroupVersionKind{"", api, subject.string_at("kind")}
                                           : engine::GroupVersionKind{api.substr(0, slash), api.substr(slash + 1),
                                                                      subject.string_at("kind")};
  if (const json::Value* md = subject.find("metadata")) {
    r.name = md->string_at("name");
    r.namespace_ = md->string_at("namespace");
  }
  r.user.username = user;
  r.user.groups = std::move(groups);
  return r;
}

inline TimePoint at(std::string_view rfc3339) { return *parse_rfc3339(rfc3339); }

// A Policy document named `name` with `spec` (YAML indented under `spec:`).
inline std::string policy_yaml(const std::string& name, const std::string& spec) {
  return "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: " + name + "\nspec:\n" + spec;
}

}  // namespace driftgate::testing
