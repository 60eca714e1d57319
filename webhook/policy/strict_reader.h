#pragma once
// The strict YAML reader of every driftgate document (Policy, PolicyTest): an
// unknown or repeated field, a wrong type or a bad value is an error that names
// file:line:column, the document and the field, with a suggestion for a near
// miss (`unknown field "allowd" ...; did you mean "allowed"?`). Readers of each
// document kind build on it, so they all say the same things the same way.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "path/path.h"
#include "policy/diagnostic.h"
#include "util/glob.h"

namespace driftgate::policy {

class StrictReader {
 public:
  // `document_kind`: how diagnostics name the document ("policy", "PolicyTest").
  StrictReader(const std::string& file, std::vector<Diagnostic>& errors, std::string document_kind = "policy")
      : file_(file), errors_(errors), document_kind_(std::move(document_kind)) {}

  // The name diagnostics give from now on (set once metadata.name is read).
  void name_document(std::string name) { document_ = std::move(name); }
  const std::string& file() const { return file_; }
  std::size_t error_count() const { return error_count_; }

  // An error at `at`; `field` ("spec.rules[0]") prefixes the message when not empty.
  void error(const YAML::Node& at, const std::string& field, const std::string& message);

  // "a mapping", "a list", "\"text\"" or "nothing": what was found instead.
  static std::string describe(const YAML::Node& n);

  // A mapping whose keys are all among `allowed`: reports every unknown key (with a
  // suggestion) and every repeated one. False when `n` is not a mapping.
  bool expect_map(const YAML::Node& n, const std::string& field, std::initializer_list<std::string_view> allowed);

  // What every driftgate document starts with: metadata (name, labels, annotations;
  // a non-empty name, which names the document in every later error) and only the
  // top-level keys apiVersion, kind, metadata and spec. Returns the name ("" when it
  // is missing or bad: reported) and spec, or nothing when spec is missing (reported).
  struct Header {
    std::string name;
    YAML::Node spec;
  };
  std::optional<Header> read_header(const YAML::Node& doc);

  std::optional<std::string> scalar(const YAML::Node& n, const std::string& field);
  std::optional<bool> boolean(const YAML::Node& n, const std::string& field);
  std::vector<std::string> string_list(const YAML::Node& n, const std::string& field);
  std::vector<Glob> glob_list(const YAML::Node& n, const std::string& field);
  std::optional<path::Path> path_at(const YAML::Node& n, const std::string& field, std::size_t max_length = 1024);
  std::vector<path::Path> path_list(const YAML::Node& n, const std::string& field, std::size_t max_length = 1024);

  // A string that must be one of `allowed` (exactly: Kubernetes values are
  // case-sensitive); `what` names it in the error ("operation", "mode").
  std::optional<std::string> one_of(const YAML::Node& n, const std::string& field, std::string_view what,
                                    std::initializer_list<std::string_view> allowed);

 private:
  const std::string& file_;
  std::vector<Diagnostic>& errors_;
  std::string document_kind_;
  std::string document_;
  std::size_t error_count_ = 0;
};

// "a, b or c".
std::string list_of_choices(std::initializer_list<std::string_view> choices, std::string_view last_separator = " or ");

}  // namespace driftgate::policy
