#include "policy/kind_pattern.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "kube_kinds/kube_kinds.h"
#include "util/suggest.h"

namespace driftgate::policy {
namespace {

using kube_kinds::KindInfo;

bool is_version(std::string_view v) {
  // v1, v2, v1beta1, v2alpha1: what Kubernetes accepts as a version of an API group.
  auto digits = [&](std::size_t& i) {
    const std::size_t start = i;
    if (i >= v.size() || v[i] < '1' || v[i] > '9') return false;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i > start;
  };
  std::size_t i = 1;
  if (v.empty() || v[0] != 'v' || !digits(i)) return false;
  if (i == v.size()) return true;
  for (std::string_view level : {"alpha", "beta"})
    if (v.substr(i, level.size()) == level) {
      i += level.size();
      return digits(i) && i == v.size();
    }
  return false;
}

// Joined by appends: GCC 12 reports chains of `"literal" + std::string` under
// -Wrestrict at -O2 and above (a false positive the project works around).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::string spelled_group(std::string_view group) { return group.empty() ? "core" : std::string(group); }

// A kind the user most likely meant among `kinds`: its plural typed as a kind
// ("services"), the same word in another case, or a near miss.
const KindInfo* suggest_kind(std::string_view typed, const std::vector<const KindInfo*>& kinds) {
  const std::string lower = to_lower(typed);
  for (const KindInfo* k : kinds)
    if (lower == k->resource || lower == to_lower(k->kind)) return k;
  std::vector<std::string_view> names;
  for (const KindInfo* k : kinds) names.push_back(k->kind);
  if (auto best = closest(typed, names))
    for (const KindInfo* k : kinds)
      if (k->kind == *best) return k;
  return nullptr;
}

std::vector<const KindInfo*> kinds_where(const auto& keep) {
  std::vector<const KindInfo*> out;
  for (const KindInfo& k : kube_kinds::all_kinds())
    if (keep(k)) out.push_back(&k);
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Result<KindPattern> read() {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t slash; (slash = text_.find('/', start)) != std::string_view::npos; start = slash + 1)
      parts.emplace_back(text_.substr(start, slash - start));
    parts.emplace_back(text_.substr(start));
    if (parts.size() > 3 || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); }))
      return Error{"invalid kind \"" + std::string(text_) +
                   "\", expected \"Kind\", \"group/Kind\" or \"group/version/Kind\""};
    segments_ = parts.size();
    kind_ = Glob(parts.back());
    if (segments_ == 3) version_ = Glob(parts[1]);
    if (segments_ >= 2) group_ = Glob(parts[0] == "core" ? "" : parts[0]);

    if (segments_ == 3 && version_.is_literal() && !is_version(version_.pattern()))
      return Error{cat({"\"", version_.pattern(), "\" is not an API version (v1, v1beta1, v2alpha1...) in kind \"", text_,
                        "\""})};
    if (auto error = check()) return Error{*error};
    KindPattern k;
    k.group = group_;
    k.version = version_;
    k.kind = kind_;
    return k;
  }

 private:
  // The pattern as written, with another group and kind: for suggestions.
  std::string respell(std::string_view group, std::string_view kind, bool force_group = false) const {
    std::string out;
    if (segments_ >= 2 || force_group) out.append(spelled_group(group)).append("/");
    if (segments_ == 3) out.append(version_.pattern()).append("/");
    return out.append(kind);
  }

  std::string unknown_kind(const KindInfo* suggestion, std::string_view group) const {
    return cat({"unknown kind \"", text_, "\"", suggestion ? did_you_mean(respell(group, suggestion->kind)) : ""});
  }

  std::optional<std::string> check() const {
    const bool any_group = group_.matches_everything();
    if (any_group) return check_kind_in_any_group();
    if (!group_.is_literal()) return check_group_glob();
    const std::string& group = group_.pattern();
    if (kube_kinds::is_known_group(group)) return check_kind_in_group(group);
    return check_custom_group(group);
  }

  std::optional<std::string> check_kind_in_any_group() const {
    const std::vector<const KindInfo*> all = kinds_where([](const KindInfo&) { return true; });
    if (!kind_.is_literal()) {
      if (std::any_of(all.begin(), all.end(), [&](const KindInfo* k) { return kind_.matches(k->kind); }))
        return std::nullopt;
      return cat({"\"", text_, "\" matches no known kind; a custom resource's kind is written with its group, e.g. \"example.com/",
                  kind_.pattern(), "\""});
    }
    if (!kube_kinds::find_kind(kind_.pattern()).empty()) return std::nullopt;
    if (const KindInfo* s = suggest_kind(kind_.pattern(), all)) {
      return cat({"unknown kind \"", text_, "\"", did_you_mean(respell(group_.pattern(), s->kind))});
    }
    return cat({"unknown kind \"", text_,
                "\": not a Kubernetes, Flux or Argo CD kind; a custom resource's kind is written with its group, e.g. "
                "\"example.com/",
                kind_.pattern(), "\""});
  }

  std::optional<std::string> check_kind_in_group(const std::string& group) const {
    const std::vector<const KindInfo*> in_group = kinds_where([&](const KindInfo& k) { return k.group == group; });
    if (!kind_.is_literal()) {
      if (std::any_of(in_group.begin(), in_group.end(), [&](const KindInfo* k) { return kind_.matches(k->kind); }))
        return std::nullopt;
      return cat({"\"", text_, "\" matches no kind of the ", describe_group(group)});
    }
    if (kube_kinds::find(group, kind_.pattern())) return std::nullopt;
    if (auto elsewhere = kube_kinds::find_kind(kind_.pattern()); !elsewhere.empty())
      return cat({kind_.pattern(), " is in the ", describe_group(elsewhere.front()->group),
                  did_you_mean(respell(elsewhere.front()->group, kind_.pattern(), true))});
    if (const KindInfo* s = suggest_kind(kind_.pattern(), in_group)) return unknown_kind(s, group);
    std::string names;
    for (const KindInfo* k : in_group) names += (names.empty() ? "" : ", ") + std::string(k->kind);
    return cat({unknown_kind(nullptr, group), ": the ", describe_group(group), " has ", names});
  }

  std::optional<std::string> check_custom_group(const std::string& group) const {
    if (is_version(group) && segments_ == 2) {
      const std::string out = cat({"\"", group, "\" is an API version, not a group"});
      const std::vector<const KindInfo*> all = kinds_where([](const KindInfo&) { return true; });
      const KindInfo* k = kind_.is_literal() ? suggest_kind(kind_.pattern(), all) : nullptr;
      if (k) return cat({out, did_you_mean(cat({spelled_group(k->group), "/", group, "/", k->kind}))});
      return cat({out, "; write group/version/Kind"});
    }
    // A near miss of a group of the table: one edit, or two when the kind is one of
    // that group's (a custom resource can live in a group that differs by two).
    std::optional<std::string_view> near;
    for (std::string_view known : kube_kinds::known_groups()) {
      const std::string spelled = spelled_group(known);
      const std::size_t d = edit_distance(to_lower(group), spelled);
      const bool kind_of_it = kind_.is_literal() && kube_kinds::find(known, kind_.pattern());
      if (d <= 1 || (d <= 2 && kind_of_it)) {
        near = known;
        break;
      }
    }
    if (near) {
      std::string kind = kind_.pattern();
      if (kind_.is_literal() && !kube_kinds::find(*near, kind))
        if (const KindInfo* s = suggest_kind(kind, kinds_where([&](const KindInfo& k) { return k.group == *near; })))
          kind = std::string(s->kind);
      return cat({"unknown API group \"", group, "\"", did_you_mean(respell(*near, kind))});
    }
    if (group.find('.') == std::string::npos)
      return cat({"unknown API group \"", group,
                  "\": not a Kubernetes group, and a custom resource's group has a dot (example.com)"});
    return std::nullopt;  // a custom resource: any kind
  }

  std::optional<std::string> check_group_glob() const {
    if (!kind_.is_literal()) return std::nullopt;
    const std::vector<const KindInfo*> matched = kinds_where([&](const KindInfo& k) { return group_.matches(k.group); });
    if (matched.empty()) return std::nullopt;
    if (std::any_of(matched.begin(), matched.end(), [&](const KindInfo* k) { return k->kind == kind_.pattern(); }))
      return std::nullopt;
    if (const KindInfo* s = suggest_kind(kind_.pattern(), matched))
      return cat({"unknown kind \"", text_, "\"", did_you_mean(respell(group_.pattern(), s->kind))});
    return std::nullopt;  // may be a custom resource of a group the glob also matches
  }

  static std::string describe_group(std::string_view group) {
    return group.empty() ? std::string("core group") : cat({"group ", group});
  }

  std::string_view text_;
  std::size_t segments_ = 1;
  Glob group_{"*"}, version_{"*"}, kind_{"*"};
};

}  // namespace

Result<KindPattern> parse_kind_pattern(std::string_view text) { return Reader(text).read(); }

}  // namespace driftgate::policy
