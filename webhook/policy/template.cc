#include "policy/template.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace driftgate::policy {
namespace {

constexpr std::array<std::pair<std::string_view, Variable>, 12> kVariables{{
    {"kind", Variable::Kind},
    {"namespace", Variable::Namespace},
    {"name", Variable::Name},
    {"object", Variable::Object},
    {"operation", Variable::Operation},
    {"user", Variable::User},
    {"paths", Variable::Paths},
    {"owner", Variable::Owner},
    {"now", Variable::Now},
    {"detail", Variable::Detail},
    {"policy", Variable::Policy},
    {"rule", Variable::Rule},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view variable_names() {
  return "kind, namespace, name, object, operation, user, paths, owner, now, detail, policy, rule";
}

Result<Template> Template::parse(std::string_view text) {
  Template t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back({std::string(text.substr(pos)), {}, false});
      break;
    }
    if (open > pos) t.parts_.push_back({std::string(text.substr(pos, open - pos)), {}, false});
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return Error{"unterminated '{{' in message template"};
    std::string_view name = trim(text.substr(open + 2, close - open - 2));
    bool found = false;
    for (const auto& [n, v] : kVariables) {
      if (n == name) {
        t.parts_.push_back({{}, v, true});
        found = true;
        break;
      }
    }
    if (!found)
      return Error{"unknown template variable '{{" + std::string(name) + "}}', expected one of " +
                   std::string(variable_names())};
    pos = close + 2;
  }
  // `{{namespace}}/{{name}}` (the contract's own example) is `{{object}}`: for a
  // cluster-scoped object it reads "ClusterRole view", not "ClusterRole /view".
  for (std::size_t i = 0; i + 2 < t.parts_.size(); ++i) {
    Part& ns = t.parts_[i];
    const Part& slash = t.parts_[i + 1];
    const Part& name = t.parts_[i + 2];
    if (!ns.is_variable || ns.variable != Variable::Namespace || slash.is_variable || slash.literal != "/" ||
        !name.is_variable || name.variable != Variable::Name)
      continue;
    ns.variable = Variable::Object;
    const auto at = t.parts_.begin() + static_cast<std::ptrdiff_t>(i);
    t.parts_.erase(at + 1, at + 3);
  }
  return t;
}

Template Template::builtin(std::string_view text) {
  auto t = parse(text);
  if (!t) std::abort();
  return std::move(*t);
}

std::string Template::render(const std::function<std::string(Variable)>& lookup) const {
  std::string out;
  for (const Part& p : parts_) out += p.is_variable ? lookup(p.variable) : p.literal;
  return out;
}

bool Template::uses(Variable v) const {
  for (const Part& p : parts_)
    if (p.is_variable && p.variable == v) return true;
  return false;
}

}  // namespace driftgate::policy
