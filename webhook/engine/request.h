#pragma once
// What the engine decides on: the parts of an admission request it reads.
// Strings are views into the decoded review's arena (or a test's storage).
#include <cstdint>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "policy/policy.h"

namespace driftgate::engine {

struct GroupVersionKind {
  std::string_view group;  // "" for the core group
  std::string_view version;
  std::string_view kind;
};

struct UserInfo {
  std::string_view username;
  std::vector<std::string_view> groups;
};

// Where the write comes from. Admission: the API server asks about a write anyone
// may be making. Git: the object is what Git holds, judged before it is applied
// (`driftgate scan --manifests`): the rules that refuse writes made outside Git
// (`frozen`) have nothing to refuse; every other rule applies, transitions included
// (an UPDATE against the live object still meets `immutable` and `monotonic`).
// Stored: an object as the cluster stores it, judged by a background scan
// (`driftgate scan`): there is no change to judge, so only the rules that judge a
// state apply (policy::judges() == State); frozen, immutable and monotonic do not.
enum class Source : std::uint8_t { Admission, Git, Stored };

struct Request {
  std::string_view uid;
  GroupVersionKind kind;
  std::string_view resource;      // plural, e.g. "configmaps"
  std::string_view sub_resource;  // "", "status", "scale", ...
  std::string_view name;
  std::string_view namespace_;    // "" for cluster-scoped objects
  policy::Operation operation = policy::kCreate;
  UserInfo user;
  json::Value object;      // null on DELETE
  json::Value old_object;  // null on CREATE
  bool dry_run = false;
  Source source = Source::Admission;

  // The object the request is about: oldObject for DELETE, object otherwise.
  const json::Value& subject() const { return operation == policy::kDelete ? old_object : object; }
};

}  // namespace driftgate::engine
