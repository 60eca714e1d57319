#include "engine/rules.h"

#include <re2/re2.h>

#include <algorithm>

#include "engine/diff.h"
#include "engine/match.h"
#include "engine/order.h"
#include "engine/owner.h"

namespace driftgate::engine {
namespace {

using policy::Operation;

constexpr std::size_t kMaxPathsInMessage = 10;

// Server-set or runtime fields that are never drift (the contract's list, plus
// the deletion markers the API server sets while an object is being deleted).
const std::vector<path::Path>& always_ignored() {
  static const std::vector<path::Path> paths = [] {
    std::vector<path::Path> out;
    for (const char* p : {"status", "metadata.resourceVersion", "metadata.generation", "metadata.managedFields",
                          "metadata.uid", "metadata.creationTimestamp", "metadata.selfLink",
                          "metadata.deletionTimestamp", "metadata.deletionGracePeriodSeconds"})
      out.push_back(*path::Path::parse(p));
    return out;
  }();
  return paths;
}

// The name, or `generateName*` for a CREATE that lets the API server pick it.
std::string object_name(const Request& r) {
  if (!r.name.empty()) return std::string(r.name);
  const json::Value* metadata = r.subject().find("metadata");
  std::string prefix = metadata ? std::string(metadata->string_at("generateName")) : "";
  return prefix.empty() ? "" : prefix + "*";
}

class ViolationBuilder {
 public:
  ViolationBuilder(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context)
      : policy_(policy), rule_(rule), context_(context) {}

  void add(std::string path) {
    if (std::find(paths_.begin(), paths_.end(), path) == paths_.end()) paths_.push_back(std::move(path));
  }
  void add_detail(std::string detail) {
    if (!detail_.empty()) detail_ += "; ";
    detail_ += detail;
  }
  bool empty() const { return paths_.empty() && detail_.empty(); }
  std::vector<std::string>& paths() { return paths_; }

  // Emits the violation; `default_message` may use the same variables as templates.
  void emit(const std::string& default_message, std::vector<Violation>& out) {
    Violation v;
    v.policy = policy_.name;
    v.rule = rule_.name;
    v.mode = policy_.mode;
    auto lookup = [&](policy::Variable var) { return context_.variable(var, policy_, rule_, paths_, detail_); };
    if (rule_.message) {
      v.message = rule_.message->render(lookup);
    } else {
      auto t = policy::Template::parse(default_message);
      v.message = t ? t->render(lookup) : default_message;
    }
    v.paths = std::move(paths_);
    out.push_back(std::move(v));
  }

 private:
  const policy::Policy& policy_;
  const policy::Rule& rule_;
  const RuleContext& context_;
  std::vector<std::string> paths_;
  std::string detail_;
};

void check_frozen(const policy::Frozen& rule, const RuleContext& ctx, ViolationBuilder& v,
                  std::vector<Violation>& out) {
  const Request& r = ctx.request();
  if (r.source == Source::Git) return;  // the write is Git's own: nothing to refuse
  switch (r.operation) {
    case policy::kCreate:
      v.emit("{{kind}} {{object}} carries the markers of {{owner}}; create it through Git instead", out);
      return;
    case policy::kDelete:
      v.emit("{{kind}} {{object}} is managed by {{owner}}; delete it in Git instead", out);
      return;
    case policy::kUpdate: {
      auto changed = changed_paths(r.old_object, r.object, frozen_ignores(rule, r.kind));
      if (changed.empty()) return;
      v.paths() = std::move(changed);
      v.emit("{{kind}} {{object}} is managed by {{owner}}; change {{paths}} in Git instead", out);
      return;
    }
    default: return;
  }
}

}  // namespace

std::vector<const path::Path*> frozen_ignores(const policy::Frozen& rule, const GroupVersionKind& kind) {
  std::vector<const path::Path*> ignore;
  for (const path::Path& p : always_ignored()) ignore.push_back(&p);
  for (const policy::Frozen::Ignore& i : rule.ignore)
    if (kinds_match(i.kinds, kind)) ignore.push_back(&i.path);
  return ignore;
}

namespace {

void check_exclusive(const policy::Exclusive& rule, const RuleContext& ctx, ViolationBuilder& v,
                     std::vector<Violation>& out) {
  std::string fields;
  for (const path::Path& f : rule.fields) fields += (fields.empty() ? "" : ", ") + f.str();
  path::walk(rule.at, ctx.request().subject(), ctx.scratch(), [&](const path::Location& at, const json::Value& node) {
    if (!node.is_object()) return;
    std::vector<std::string> set;
    std::size_t fields_set = 0;
    for (const path::Path& field : rule.fields) {
      std::size_t before = set.size();
      path::walk(field, node, ctx.scratch(),
                 [&](const path::Location& loc, const json::Value&) { set.push_back(loc.str()); }, at);
      fields_set += set.size() > before;
    }
    if (fields_set < 2) return;
    for (auto& p : set) v.add(std::move(p));
    v.add_detail("at most one of " + fields + " may be set" + (at.empty() ? "" : " at " + at.str()));
  });
  if (!v.empty()) v.emit("{{paths}} are all set, but they exclude each other ({{detail}})", out);
}

void check_require(const policy::Require& rule, const RuleContext& ctx, ViolationBuilder& v,
                   std::vector<Violation>& out) {
  const json::Value& subject = ctx.request().subject();
  for (const path::Path& p : rule.paths) {
    if (!p.has_wildcard()) {
      bool reached = false;
      path::walk(p, subject, ctx.scratch(), [&](const path::Location&, const json::Value&) { reached = true; });
      if (!reached) v.add(p.str());
      continue;
    }
    // `[*]` paths are checked per element: each element must have the rest.
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    auto split = p.split_at_last_wildcard();
    const path::Path& prefix = split.first;
    const path::Path& rest = split.second;
    path::walk(prefix, subject, ctx.scratch(), [&](const path::Location& at, const json::Value& node) {
      if (rest.is_root()) return;
      bool reached = false;
      path::walk(rest, node, ctx.scratch(), [&](const path::Location&, const json::Value&) { reached = true; });
      if (!reached) {
        std::string text = at.str();
        std::string tail = rest.str();
        text += (tail.front() == '[' || tail.front() == '|' || text.empty()) ? tail : "." + tail;
        v.add(std::move(text));
      }
    });
  }
  if (!v.empty()) v.emit("{{paths}} must be set", out);
}

void check_forbid(const policy::Forbid& rule, const RuleContext& ctx, ViolationBuilder& v,
                  std::vector<Violation>& out) {
  for (const path::Path& p : rule.paths)
    path::walk(p, ctx.request().subject(), ctx.scratch(),
               [&](const path::Location& loc, const json::Value&) { v.add(loc.str()); });
  if (!v.empty()) v.emit("{{paths}} must not be set", out);
}

void check_pattern(const policy::Pattern& rule, const RuleContext& ctx, ViolationBuilder& v,
                   std::vector<Violation>& out) {
  path::walk(rule.path, ctx.request().subject(), ctx.scratch(), [&](const path::Location& loc, const json::Value& node) {
    if (!node.is_string()) return;
    auto text = node.as_string();
    bool matched = RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *rule.regex);
    if (matched == rule.negate) v.add(loc.str());
  });
  if (v.empty()) return;
  v.add_detail(std::string(rule.negate ? "must not match " : "must match ") + rule.regex_text);
  v.emit("{{paths}} {{detail}}", out);
}

void check_immutable(const policy::Immutable& rule, const RuleContext& ctx, ViolationBuilder& v,
                     std::vector<Violation>& out) {
  const Request& r = ctx.request();
  if (r.operation != policy::kUpdate) return;
  for (const path::Path& p : rule.paths)
    path::walk(p, r.old_object, ctx.scratch(), [&](const path::Location& loc, const json::Value& old_value) {
      const json::Value* new_value = path::lookup(r.object, loc, ctx.scratch());
      if (!new_value || !(*new_value == old_value)) v.add(loc.str());
    });
  if (!v.empty()) v.emit("{{paths}} cannot change once set", out);
}

void check_monotonic(const policy::Monotonic& rule, const RuleContext& ctx, ViolationBuilder& v,
                     std::vector<Violation>& out) {
  const Request& r = ctx.request();
  if (r.operation != policy::kUpdate) return;
  path::walk(rule.path, r.old_object, ctx.scratch(), [&](const path::Location& loc, const json::Value& old_value) {
    const json::Value* new_value = path::lookup(r.object, loc, ctx.scratch());
    if (!new_value || !readable(old_value, rule.order)) return;  // removed, or nothing to guard
    auto c = compare(*new_value, old_value, rule.order);
    if (!c) {
      v.add(loc.str());
      v.add_detail(loc.str() + " " + json::to_string(*new_value) + " is not a valid " + std::string(order_name(rule.order)));
    } else if (*c < 0) {
      v.add(loc.str());
      v.add_detail(loc.str() + " went backwards from " + json::to_string(old_value) + " to " +
                   json::to_string(*new_value));
    }
  });
  if (!v.empty()) v.emit("{{detail}}: a superseded deploy must not roll back", out);
}

// ---- JSON Patch ---------------------------------------------------------------

std::string pointer_of(const std::vector<std::string>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back('/');
    for (char c : tokens[i]) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out.push_back(c);
    }
  }
  return out;
}

const json::Value* child(const json::Value& node, const std::string& token) {
  if (node.is_object()) return node.find(token);
  if (node.is_array()) {
    std::size_t i = 0;
    for (char c : token) {
      if (c < '0' || c > '9') return nullptr;
      i = i * 10 + static_cast<std::size_t>(c - '0');
    }
    return !token.empty() && i < node.size() ? &node.items()[i] : nullptr;
  }
  return nullptr;
}

void render_value(const json::Value& v, const std::function<std::string(policy::Variable)>& lookup, std::string& out) {
  if (v.is_string() && v.as_string().find("{{") != std::string_view::npos) {
    auto t = policy::Template::parse(v.as_string());  // checked at load
    json::write_string(t ? t->render(lookup) : std::string(v.as_string()), out);
    return;
  }
  if (v.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const json::Value& item : v.items()) {
      if (!first) out.push_back(',');
      first = false;
      render_value(item, lookup, out);
    }
    out.push_back(']');
    return;
  }
  if (v.is_object()) {
    out.push_back('{');
    bool first = true;
    for (const json::Member& m : v.members()) {
      if (!first) out.push_back(',');
      first = false;
      json::write_string(m.key, out);
      out.push_back(':');
      render_value(m.value, lookup, out);
    }
    out.push_back('}');
    return;
  }
  json::write(v, out);
}

void append_op(std::string& ops, std::string_view op, const std::string& pointer, const std::string* value_json) {
  if (!ops.empty()) ops.push_back(',');
  ops += "{\"op\":\"";
  ops += op;
  ops += "\",\"path\":";
  json::write_string(pointer, ops);
  if (value_json) {
    ops += ",\"value\":";
    ops += *value_json;
  }
  ops.push_back('}');
}

}  // namespace

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

void check_rule(const policy::Policy& policy, const policy::Rule& rule, const RuleContext& context,
                std::vector<Violation>& out) {
  ViolationBuilder v(policy, rule, context);
  std::visit(
      [&](const auto& spec) {
        using T = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<T, policy::Frozen>) check_frozen(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Exclusive>) check_exclusive(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Require>) check_require(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Forbid>) check_forbid(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Pattern>) check_pattern(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Immutable>) check_immutable(spec, context, v, out);
        else if constexpr (std::is_same_v<T, policy::Monotonic>) check_monotonic(spec, context, v, out);
        // mutate rules never violate; the engine asks for their patch instead
      },
      rule.spec);
}

void append_patch(const policy::Policy& policy, const policy::Rule& rule, const policy::Mutate& mutate,
                  const RuleContext& context, std::string& ops, std::vector<std::string>& created) {
  const json::Value& object = context.request().object;
  static const std::vector<std::string> kNoPaths;
  auto lookup = [&](policy::Variable var) { return context.variable(var, policy, rule, kNoPaths, ""); };
  for (const policy::PatchOperation& op : mutate.patch) {
    const auto& tokens = op.tokens;
    // Find the deepest existing ancestor: in the object or added earlier in this patch.
    const json::Value* node = &object;
    std::size_t existing = 0;  // tokens[0..existing) exist
    bool parent_created = false;
    for (; existing + 1 < tokens.size(); ++existing) {
      std::string prefix = pointer_of(tokens, existing + 1);
      if (std::find(created.begin(), created.end(), prefix) != created.end()) {
        parent_created = true;
        node = nullptr;
        continue;
      }
      if (parent_created || !node) break;
      const json::Value* next = child(*node, tokens[existing]);
      if (!next || !next->is_set()) break;
      node = next;
    }
    bool parent_exists = existing + 1 >= tokens.size();
    bool target_exists = parent_exists && !parent_created && node && child(*node, tokens.back()) &&
                         child(*node, tokens.back())->is_set();
    if (op.op == policy::PatchOperation::Op::Remove) {
      if (target_exists) append_op(ops, "remove", op.pointer, nullptr);
      continue;
    }
    std::string value;
    render_value(*op.value, lookup, value);
    if (parent_exists) {
      // replace needs an existing target; add works either way.
      append_op(ops, op.op == policy::PatchOperation::Op::Replace && target_exists ? "replace" : "add", op.pointer, &value);
      continue;
    }
    // `add` into a map that does not exist fails: add the whole map instead.
    std::string nested = value;
    for (std::size_t i = tokens.size() - 1; i > existing; --i) {
      std::string wrapped = "{";
      json::write_string(tokens[i], wrapped);
      wrapped += ":" + nested + "}";
      nested = std::move(wrapped);
    }
    append_op(ops, "add", pointer_of(tokens, existing + 1), &nested);
    for (std::size_t i = existing + 1; i < tokens.size(); ++i) created.push_back(pointer_of(tokens, i));
  }
}

}  // namespace driftgate::engine
