#include "engine/rule_check.h"

#include <algorithm>

#include "engine/owner.h"

namespace driftgate::engine {
namespace {
constexpr std::size_t kMaxPathsInMessage = 10;
}  // namespace

RuleContext RuleContext::at_pod_template(const json::Value& object, const json::Value& old_object,
                                         path::Location base) const {
  RuleContext out(request_, now_, scratch_);
  out.object_ = &object;
  out.old_object_ = &old_object;
  out.base_ = std::move(base);
  out.owner_ = owner_;
  return out;
}

std::string object_name(const Request& r) {
  if (!r.name.empty()) return std::string(r.name);
  const json::Value* metadata = r.subject().find("metadata");
  std::string prefix = metadata ? std::string(metadata->string_at("generateName")) : "";
  return prefix.empty() ? "" : prefix + "*";
}

std::string join_paths(const std::vector<std::string>& paths) {
  if (paths.empty()) return "the object";
  std::string out;
  std::size_t shown = std::min(paths.size(), kMaxPathsInMessage);
  for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + paths[i];
  if (paths.size() > shown) out += " and " + std::to_string(paths.size() - shown) + " more";
  return out;
}

const std::string& RuleContext::owner() const {
  if (!owner_) {
    // On UPDATE the live object's markers name the owner: the write may strip or
    // rewrite them (anyOf holds on old or new, so it is still judged by them).
    const bool update = request_.operation == policy::kUpdate;
    owner_ = gitops_owner(update ? request_.old_object : request_.subject());
    if (*owner_ == kUnknownOwner && update) owner_ = gitops_owner(request_.object);
  }
  return *owner_;
}

std::string RuleContext::variable(policy::Variable v, const policy::Policy& policy, const policy::Rule& rule,
                                  const std::vector<std::string>& paths, const std::string& detail) const {
  using V = policy::Variable;
  switch (v) {
    case V::Kind: return std::string(request_.kind.kind);
    case V::Namespace: return std::string(request_.namespace_);
    case V::Name: return object_name(request_);
    case V::Object:
      return request_.namespace_.empty() ? object_name(request_)
                                         : std::string(request_.namespace_) + "/" + object_name(request_);
    case V::Operation: return std::string(policy::to_string(request_.operation));
    case V::User: return std::string(request_.user.username);
    case V::Paths: return join_paths(paths);
    case V::Owner: return owner();
    case V::Now: return format_rfc3339(now_);
    case V::Detail: return detail;
    case V::Policy: return policy.name;
    case V::Rule: return rule.name;
  }
  return {};
}

void ViolationBuilder::add(std::string path) {
  if (std::find(paths_.begin(), paths_.end(), path) == paths_.end()) paths_.push_back(std::move(path));
}

void ViolationBuilder::add_detail(std::string detail) {
  if (!detail_.empty()) detail_ += "; ";
  detail_ += detail;
}

void ViolationBuilder::emit(const policy::Template& default_message) {
  Violation v;
  v.policy = policy_.name;
  v.rule = rule_.name;
  v.mode = policy_.mode;
  auto lookup = [&](policy::Variable var) { return context_.variable(var, policy_, rule_, paths_, detail_); };
  v.message = (rule_.message ? *rule_.message : default_message).render(lookup);
  v.paths = std::move(paths_);
  paths_.clear();
  detail_.clear();
  out_.push_back(std::move(v));
}

}  // namespace driftgate::engine
