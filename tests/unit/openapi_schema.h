#pragma once
// A structural OpenAPI v3 schema check, as the API server applies a CRD's
// openAPIV3Schema to a custom resource: type (object, array, string, integer,
// number, boolean), format int32/int64 ranges, enum, required, properties,
// additionalProperties (a schema, true, or absent), items, nullable, minimum,
// maximum, minLength, maxLength. A member the schema does not declare is an
// error when the schema lists properties: the API server would prune it
// silently, so the report read back would not be the one written.
// `metadata` at the root is the API server's own (ObjectMeta) and only checked
// to be an object, as the server does for CRDs.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "json/value.h"

namespace driftgate::testing {

class SchemaChecker {
 public:
  std::vector<std::string> errors;

  void check(const YAML::Node& schema, const json::Value& v, const std::string& at) {
    if (v.is_null()) {
      if (!(schema["nullable"] && schema["nullable"].as<bool>())) errors.push_back(at + ": null is not allowed");
      return;
    }
    const std::string type = schema["type"] ? schema["type"].as<std::string>() : "";
    if (!type.empty() && !has_type(v, type)) {
      errors.push_back(at + ": must be " + type);
      return;
    }
    if (schema["format"] && v.is_integer()) {
      const std::string format = schema["format"].as<std::string>();
      if (format == "int32" && (v.as_integer() < INT32_MIN || v.as_integer() > INT32_MAX))
        errors.push_back(at + ": out of int32 range");
    }
    if (schema["minimum"] && v.is_number() && v.as_double() < schema["minimum"].as<double>())
      errors.push_back(at + ": below minimum");
    if (schema["maximum"] && v.is_number() && v.as_double() > schema["maximum"].as<double>())
      errors.push_back(at + ": above maximum");
    if (v.is_string()) {
      if (schema["minLength"] && v.as_string().size() < schema["minLength"].as<std::size_t>())
        errors.push_back(at + ": shorter than minLength");
      if (schema["maxLength"] && v.as_string().size() > schema["maxLength"].as<std::size_t>())
        errors.push_back(at + ": longer than maxLength");
    }
    if (schema["enum"]) {
      bool found = false;
      for (const auto& e : schema["enum"])
        found = found || (v.is_string() && e.as<std::string>() == v.as_string());
      if (!found) errors.push_back(at + ": \"" + std::string(v.as_string()) + "\" is not one of the enum values");
    }
    if (v.is_object()) {
      if (schema["required"])
        for (const auto& r : schema["required"])
          if (!v.find(r.as<std::string>())) errors.push_back(at + ": " + r.as<std::string>() + " is required");
      const YAML::Node properties = schema["properties"];
      const YAML::Node additional = schema["additionalProperties"];
      for (const json::Member& m : v.members()) {
        const std::string key(m.key), child = at + "." + key;
        if (properties && properties[key]) {
          if (at == "" && key == "metadata") {
            if (!m.value.is_object()) errors.push_back(child + ": must be object");
            continue;
          }
          check(properties[key], m.value, child);
        } else if (additional && additional.IsMap()) {
          check(additional, m.value, child);
        } else if (additional && additional.IsScalar() && additional.as<bool>()) {
          continue;
        } else if (properties || (additional && additional.IsScalar())) {
          errors.push_back(child + ": unknown field (the API server would prune it)");
        }
      }
    }
    if (v.is_array() && schema["items"]) {
      std::size_t i = 0;
      for (const json::Value& item : v.items()) check(schema["items"], item, at + "[" + std::to_string(i++) + "]");
    }
  }

 private:
  static bool has_type(const json::Value& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_bool();
    return false;
  }
};

// The openAPIV3Schema of `version` in a CRD file, and what the CRD says of its
// group, kind and scope: a report is checked against all of it.
struct CrdVersion {
  std::string group, kind, scope;
  YAML::Node schema;  // null when the file has no such version
};

inline CrdVersion load_crd(const std::string& file, const std::string& version) {
  const YAML::Node crd = YAML::LoadFile(file);
  CrdVersion out;
  out.group = crd["spec"]["group"].as<std::string>();
  out.kind = crd["spec"]["names"]["kind"].as<std::string>();
  out.scope = crd["spec"]["scope"].as<std::string>();
  for (const auto& v : crd["spec"]["versions"])
    if (v["name"].as<std::string>() == version && v["served"].as<bool>()) out.schema = v["schema"]["openAPIV3Schema"];
  return out;
}

// Every error of `object` against the CRD: apiVersion and kind, the scope's
// namespace rule, a name, and the schema.
inline std::vector<std::string> validate_against(const CrdVersion& crd, const std::string& version,
                                                 const json::Value& object) {
  SchemaChecker checker;
  if (!crd.schema) return {"the CRD serves no version " + version};
  if (object.string_at("apiVersion") != crd.group + "/" + version)
    checker.errors.push_back("apiVersion is not " + crd.group + "/" + version);
  if (object.string_at("kind") != crd.kind) checker.errors.push_back("kind is not " + crd.kind);
  const json::Value* metadata = object.find("metadata");
  if (!metadata || metadata->string_at("name").empty()) checker.errors.push_back("metadata.name is required");
  const bool has_namespace = metadata && !metadata->string_at("namespace").empty();
  if (crd.scope == "Namespaced" && !has_namespace) checker.errors.push_back("a Namespaced resource needs metadata.namespace");
  if (crd.scope == "Cluster" && has_namespace) checker.errors.push_back("a Cluster resource has no metadata.namespace");
  checker.check(crd.schema, object, "");
  return checker.errors;
}

}  // namespace driftgate::testing
