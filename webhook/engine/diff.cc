#include "engine/diff.h"

namespace driftgate::engine {
namespace {

struct Differ {
  const std::vector<const path::Path*>& ignore;
  std::vector<std::string>& out;
  path::Location location;

  bool ignored() const {
    for (const path::Path* p : ignore)
      if (path::covers(*p, location)) return true;
    return false;
  }

  void leaves(const json::Value& v) {
    if (ignored()) return;
    if (v.is_object() && v.size() > 0) {
      for (const json::Member& m : v.members()) {
        if (!m.value.is_set()) continue;
        location.push_key(m.key);
        leaves(m.value);
        location.pop();
      }
    } else if (v.is_array() && v.size() > 0) {
      auto items = v.items();
      for (std::size_t i = 0; i < items.size(); ++i) {
        location.push_index(i);
        leaves(items[i]);
        location.pop();
      }
    } else if (v.is_set()) {
      out.push_back(location.str());
    }
  }

  void diff(const json::Value& a, const json::Value& b) {
    if (!location.empty() && ignored()) return;
    if (a.is_object() && b.is_object()) {
      for (const json::Member& m : b.members()) {
        const json::Value* old_member = a.find(m.key);
        location.push_key(m.key);
        diff(old_member ? *old_member : json::Value{}, m.value);
        location.pop();
      }
      for (const json::Member& m : a.members()) {
        if (b.find(m.key)) continue;
        location.push_key(m.key);
        diff(m.value, json::Value{});
        location.pop();
      }
      return;
    }
    if (a.is_array() && b.is_array()) {
      auto old_items = a.items(), new_items = b.items();
      std::size_t n = std::max(old_items.size(), new_items.size());
      for (std::size_t i = 0; i < n; ++i) {
        location.push_index(i);
        diff(i < old_items.size() ? old_items[i] : json::Value{}, i < new_items.size() ? new_items[i] : json::Value{});
        location.pop();
      }
      return;
    }
    if (a == b) return;
    bool a_container = (a.is_object() || a.is_array()) && a.size() > 0;
    bool b_container = (b.is_object() || b.is_array()) && b.size() > 0;
    if (!a_container && !b_container) {
      out.push_back(location.str());
      return;
    }
    // A container appeared, disappeared or changed type: its leaves changed.
    if ((a.is_set() && !a_container) || (b.is_set() && !b_container)) out.push_back(location.str());
    if (a_container) leaves(a);
    if (b_container) leaves(b);
  }
};

}  // namespace

std::vector<std::string> changed_paths(const json::Value& old_value, const json::Value& new_value,
                                       const std::vector<const path::Path*>& ignore) {
  std::vector<std::string> out;
  Differ differ{ignore, out, {}};
  differ.diff(old_value, new_value);
  // A leaf can be reported by both sides of a replaced container; keep the first.
  std::vector<std::string> unique;
  unique.reserve(out.size());
  for (auto& p : out)
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  return unique;
}

}  // namespace driftgate::engine
