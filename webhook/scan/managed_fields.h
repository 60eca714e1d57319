#pragma once
// metadata.managedFields read strictly: who owns which field of a stored object,
// with what operation, through which subresource and since when. The `fieldsV1`
// sets are decoded into field paths and resolved against the object itself.
//
// fieldsV1 (sigs.k8s.io/structured-merge-diff) is a tree of JSON objects whose keys
// are path elements: `f:<name>` a field, `k:<json object>` the list entry with those
// key fields (`k:{"name":"users-api"}`), `v:<json value>` an entry of a set,
// `i:<n>` a list index, and `.` the node itself. Only leaves are reported: a node
// whose set is `{}` or just `{".":{}}` is owned as a whole; a `.` beside other
// elements only says the map or entry exists.
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "path/path.h"
#include "util/result.h"
#include "util/time.h"

namespace driftgate::scan {

// One step of a decoded field path.
struct FieldStep {
  enum class Kind { Field, Key, Value, Index };
  Kind kind = Kind::Field;
  // Field: the member name. Key: the selector as printed, `name=users-api` or
  // `containerPort=80,protocol=TCP`. Value: the set entry as JSON, `"example.com/x"`.
  std::string text;
  // Index: the index. Key and Value: the index of the entry in the object, when
  // `resolved`.
  std::size_t index = 0;
  bool resolved = true;
  friend bool operator==(const FieldStep&, const FieldStep&) = default;
};

// The index a Location holds for a list entry that could not be found in the
// object: no `[n]` pattern matches it, `[*]` and `**` do.
inline constexpr std::size_t kUnresolvedIndex = std::numeric_limits<std::size_t>::max();

struct FieldPath {
  std::vector<FieldStep> steps;

  // Every `k:`/`v:` step was found in the object, so str() is in driftgate's path
  // syntax (keyed entries as their index: `spec.template.spec.containers[0].image`).
  bool resolved() const;
  // driftgate's path syntax; a keyed entry not found in the object (e.g. the object
  // was listed as metadata only) prints as its selector, `containers[name=users-api]`
  // or `finalizers[="example.com/x"]`, which the path language does not parse.
  std::string str() const;
  // The concrete location, for path::covers; it borrows this path's strings.
  // Unresolved entries get kUnresolvedIndex.
  path::Location location() const;
  // Whether this path is `other` or lies below it.
  bool within(const FieldPath& other) const;
};

struct DecodeLimits {
  std::size_t max_depth = 64;  // nesting of fieldsV1 sets
};

// The leaves of one fieldsV1 set, with keyed entries resolved against `object` (the
// stored object; null or metadata-only leaves them unresolved). Errors say what is
// malformed and where in the set (`at f:spec/f:template`).
Result<std::vector<FieldPath>> decode_fields_v1(const json::Value& fields_v1, const json::Value& object,
                                                const DecodeLimits& limits = {});

struct ManagedFieldsEntry {
  std::string manager;      // client-chosen: a name, not an identity
  std::string operation;    // "Apply" or "Update"
  std::string subresource;  // "" for the resource itself, "status", "scale", …
  std::string api_version;
  std::optional<TimePoint> time;  // absent: `kubectl scale` writes none
  std::vector<FieldPath> fields;  // leaves only
};

// "ConfigMap users/users-api-env", "Namespace team-zz": how errors and findings
// name a stored object.
std::string object_name(const json::Value& object);

// Every entry of metadata.managedFields (none when absent). Strict: an entry that is
// not an object, an operation other than Apply or Update, a fieldsType other than
// FieldsV1, a time that is not RFC 3339 or a malformed fieldsV1 is an error that
// names the object, the entry and its manager:
//   ConfigMap users/app: metadata.managedFields[1] (manager "kubectl-edit"): fieldsV1: ...
Result<std::vector<ManagedFieldsEntry>> read_managed_fields(const json::Value& object,
                                                            const DecodeLimits& limits = {});

}  // namespace driftgate::scan
