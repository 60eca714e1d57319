#include "policy/policy.h"

#include <algorithm>

namespace driftgate::policy {

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::Enforce: return "Enforce";
    case Mode::Warn: return "Warn";
    case Mode::Audit: return "Audit";
  }
  return "Enforce";
}

std::optional<Operation> parse_operation(std::string_view text) {
  if (text == "CREATE") return kCreate;
  if (text == "UPDATE") return kUpdate;
  if (text == "DELETE") return kDelete;
  if (text == "CONNECT") return kConnect;
  return std::nullopt;
}

std::string_view to_string(Operation op) {
  switch (op) {
    case kCreate: return "CREATE";
    case kUpdate: return "UPDATE";
    case kDelete: return "DELETE";
    case kConnect: return "CONNECT";
  }
  return "";
}

bool KindPattern::matches(std::string_view g, std::string_view v, std::string_view k) const {
  return kind.matches(k) && group.matches(g) && version.matches(v);
}

namespace {

bool all_match(const std::vector<std::pair<std::string, Glob>>& wanted, const json::Value* map) {
  for (const auto& [key, glob] : wanted) {
    const json::Value* v = map ? map->find(key) : nullptr;
    if (!v || !v->is_string() || !glob.matches(v->as_string())) return false;
  }
  return true;
}

}  // namespace

bool MetadataTerm::matches(const json::Value& object) const {
  const json::Value* metadata = object.find("metadata");
  const json::Value* labels_map = metadata ? metadata->find("labels") : nullptr;
  const json::Value* annotations_map = metadata ? metadata->find("annotations") : nullptr;
  return all_match(labels, labels_map) && all_match(annotations, annotations_map);
}

std::string_view rule_type_name(const RuleSpec& spec) {
  static constexpr std::string_view kNames[] = {"frozen",    "exclusive", "require",   "forbid",
                                                "pattern",   "immutable", "monotonic", "mutate"};
  return kNames[spec.index()];
}

std::string webhook_group(const Policy& policy) {
  const Subjects& excluded = policy.match.exclude_subjects;
  if (excluded.empty()) return "all";
  std::vector<std::string> keys;
  for (const Glob& u : excluded.users) keys.push_back("u:" + u.pattern());
  for (const Glob& g : excluded.groups) keys.push_back("g:" + g.pattern());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // FNV-1a: stable across builds and platforms, unlike std::hash.
  std::uint32_t hash = 2166136261u;
  for (const std::string& k : keys)
    for (char c : k + '\n') hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "x-";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(hash >> shift) & 0xF]);
  return out;
}

namespace {

bool pointer_touches(const std::vector<std::string>& tokens, std::span<const std::string_view> keys) {
  for (std::size_t i = 0; i < tokens.size() && i < keys.size(); ++i)
    if (tokens[i] != keys[i]) return false;
  return true;
}

bool rule_reads(const RuleSpec& spec, std::span<const std::string_view> keys) {
  auto any = [&](const std::vector<path::Path>& paths) {
    return std::any_of(paths.begin(), paths.end(), [&](const path::Path& p) { return p.may_touch(keys); });
  };
  return std::visit(
      [&](const auto& rule) -> bool {
        using T = std::decay_t<decltype(rule)>;
        // frozen reads everything but always ignores the server-set fields.
        if constexpr (std::is_same_v<T, Frozen>) return false;
        else if constexpr (std::is_same_v<T, Exclusive>)
          return std::any_of(rule.fields.begin(), rule.fields.end(),
                             [&](const path::Path& f) { return rule.at.join(f).may_touch(keys); });
        else if constexpr (std::is_same_v<T, Pattern> || std::is_same_v<T, Monotonic>) return rule.path.may_touch(keys);
        else if constexpr (std::is_same_v<T, Mutate>)
          return std::any_of(rule.patch.begin(), rule.patch.end(),
                             [&](const PatchOperation& op) { return pointer_touches(op.tokens, keys); });
        else return any(rule.paths);  // require, forbid, immutable
      },
      spec);
}

}  // namespace

bool rule_may_read(const RuleSpec& spec, std::span<const std::string_view> keys) { return rule_reads(spec, keys); }

bool PolicySet::reads(std::span<const std::string_view> keys) const {
  for (const Policy& p : policies_)
    for (const Rule& r : p.rules)
      if (rule_reads(r.spec, keys)) return true;
  return false;
}

bool PolicySet::has_webhook_group(std::string_view group) const {
  return std::find(webhook_groups_.begin(), webhook_groups_.end(), group) != webhook_groups_.end();
}

PolicySet::PolicySet(std::vector<Policy> policies) : policies_(std::move(policies)) {
  static constexpr std::string_view kManagedFields[] = {"metadata", "managedFields"};
  reads_managed_fields_ = reads(kManagedFields);
  for (Policy& p : policies_) {
    p.webhook_group = webhook_group(p);
    if (!has_webhook_group(p.webhook_group)) webhook_groups_.push_back(p.webhook_group);
  }
  for (std::uint32_t i = 0; i < policies_.size(); ++i) {
    const Match& m = policies_[i].match;
    bool wildcard = m.kinds.empty() ||
                    std::any_of(m.kinds.begin(), m.kinds.end(), [](const KindPattern& k) { return !k.kind.is_literal(); });
    if (wildcard) {
      any_kind_.push_back(i);
      continue;
    }
    for (const KindPattern& k : m.kinds) {
      auto& list = by_kind_[k.kind.pattern()];
      if (list.empty() || list.back() != i) list.push_back(i);
    }
  }
  for (auto& [kind, list] : by_kind_) {
    std::vector<std::uint32_t> merged;
    std::merge(list.begin(), list.end(), any_kind_.begin(), any_kind_.end(), std::back_inserter(merged));
    list = std::move(merged);
  }
}

std::span<const std::uint32_t> PolicySet::candidates(std::string_view kind) const {
  // Heterogeneous lookup needs C++20 transparent hashing; the key is short.
  auto it = by_kind_.find(std::string(kind));
  return it == by_kind_.end() ? std::span<const std::uint32_t>(any_kind_) : std::span<const std::uint32_t>(it->second);
}

const Policy* PolicySet::find(std::string_view name) const {
  for (const Policy& p : policies_)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace driftgate::policy
