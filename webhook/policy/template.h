#pragma once
// Message templates: `{{kind}} {{object}} is managed by {{owner}}`.
// Parsed at load (unknown variables are load errors), rendered per violation.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace driftgate::policy {

// Object is "namespace/name", or "name" for a cluster-scoped object (whose
// Namespace is ""); `{{namespace}}/{{name}}` in a template is read as `{{object}}`.
enum class Variable { Kind, Namespace, Name, Object, Operation, User, Paths, Owner, Now, Detail, Policy, Rule };

class Template {
 public:
  Template() = default;
  static Result<Template> parse(std::string_view text);
  // A template written in driftgate's own source (a rule type's default message):
  // parsed once, at first use; a typo in it aborts, which any test of the rule shows.
  static Template builtin(std::string_view text);
  // `lookup` supplies each variable's text.
  std::string render(const std::function<std::string(Variable)>& lookup) const;
  bool empty() const { return parts_.empty(); }
  bool uses(Variable v) const;

 private:
  struct Part {
    std::string literal;  // when !is_variable
    Variable variable{};
    bool is_variable = false;
  };
  std::vector<Part> parts_;
};

// The names accepted inside `{{ }}`, for error messages and docs.
std::string_view variable_names();

}  // namespace driftgate::policy
