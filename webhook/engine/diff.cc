#include "engine/diff.h"

namespace driftgate::engine {
namespace {

bool has_only_concrete_or_single_wildcards(const path::Path& p) {
  for (const path::Segment& s : p.segments())
    if (s.kind == path::Segment::Kind::Descendants || s.kind == path::Segment::Kind::Yaml) return false;
  return true;
}

bool segment_matches(const path::Segment& s, const path::Location::Step& step) {
  using K = path::Segment::Kind;
  using SK = path::Location::Step::Kind;
  switch (s.kind) {
    case K::Key: return step.kind == SK::Key && step.key == s.key;
    case K::Index: return step.kind == SK::Index && step.index == s.index;
    case K::AnyKey: return step.kind == SK::Key;
    case K::KeyGlob: return step.kind == SK::Key && s.matches_key(step.key);
    case K::AnyIndex: return step.kind == SK::Index;
    default: return false;
  }
}

// Child indices from a first difference up to where identical() was called,
// innermost first: the path diff() then follows without comparing again.
using Trail = std::vector<std::uint32_t>;

// Same keys in the same order and equal values: how the API server writes an
// unchanged subtree in oldObject and object. Cheaper than operator== (no key
// lookups); anything else (a reordered map) is left to the walk, which finds the
// same changes either way. On a difference inside same-shaped containers, `trail`
// gets the index of the differing child at each level.
bool identical(const json::Value& a, const json::Value& b, Trail& trail) {
  if (a.type() != b.type() || a.size() != b.size()) return a == b && !a.is_object() && !a.is_array();
  if (a.is_array()) {
    auto x = a.items(), y = b.items();
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (identical(x[i], y[i], trail)) continue;
      trail.push_back(static_cast<std::uint32_t>(i));
      return false;
    }
    return true;
  }
  if (a.is_object()) {
    auto x = a.members(), y = b.members();
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!same_text(x[i].key, y[i].key)) return false;
      if (identical(x[i].value, y[i].value, trail)) continue;
      trail.push_back(static_cast<std::uint32_t>(i));
      return false;
    }
    return true;
  }
  return a == b;
}

struct Differ {
  std::vector<std::string>& out;
  path::Location location;
  // Ignore patterns of fixed depth are matched one step at a time as the walk
  // descends: `live` holds, per depth, those whose prefix still matches, so a node
  // costs a check of the few patterns still alive instead of covers() on each.
  // Patterns with `**` or `|yaml` go through covers() at every node.
  std::vector<const path::Path*> live;
  std::vector<std::size_t> frames{0};  // start of each depth's patterns in `live`
  std::vector<char> covered{false};    // per depth (char: vector<bool> is slow to push): a fixed pattern covers this node
  std::vector<const path::Path*> general;
  Trail trail;

  Differ(const std::vector<const path::Path*>& ignore, std::vector<std::string>& out_) : out(out_) {
    for (const path::Path* p : ignore) {
      if (!has_only_concrete_or_single_wildcards(*p)) general.push_back(p);
      else if (p->is_root()) covered.back() = true;
      else live.push_back(p);
    }
  }

  void push_key(std::string_view key) {
    location.push_key(key);
    enter();
  }
  void push_index(std::size_t i) {
    location.push_index(i);
    enter();
  }
  void pop() {
    live.resize(frames.back());
    frames.pop_back();
    covered.pop_back();
    location.pop();
  }
  void enter() {
    const std::size_t depth = location.steps().size();
    const path::Location::Step& step = location.steps().back();
    const std::size_t begin = frames.back(), end = live.size();
    bool now_covered = covered.back();
    for (std::size_t i = begin; i < end && !now_covered; ++i) {
      const path::Path* p = live[i];
      if (!segment_matches(p->segments()[depth - 1], step)) continue;
      if (p->segments().size() == depth) now_covered = true;
      else live.push_back(p);
    }
    frames.push_back(end);
    covered.push_back(now_covered);
  }

  bool ignored() const {
    if (covered.back()) return true;
    for (const path::Path* p : general)
      if (path::covers(*p, location)) return true;
    return false;
  }

  void leaves(const json::Value& v) {
    if (ignored()) return;
    if (v.is_object() && v.size() > 0) {
      for (const json::Member& m : v.members()) {
        if (!m.value.is_set()) continue;
        push_key(m.key);
        leaves(m.value);
        pop();
      }
    } else if (v.is_array() && v.size() > 0) {
      auto items = v.items();
      for (std::size_t i = 0; i < items.size(); ++i) {
        push_index(i);
        leaves(items[i]);
        pop();
      }
    } else if (v.is_set()) {
      out.push_back(location.str());
    }
  }

  // On entry `trail` is empty or leads from this node to its first difference;
  // it is empty again on return. Unchanged subtrees cost one comparison and no
  // ignore checks; the way down to a difference is compared once, not once per
  // level (a deep change in a large spec made that quadratic).
  void diff(const json::Value& a, const json::Value& b) {
    if (!location.empty() && ignored()) {
      trail.clear();
      return;
    }
    if (trail.empty() && (a.is_object() || a.is_array()) && identical(a, b, trail)) return;
    // Children before `first` are identical; `trail` now leads into child `first`.
    std::size_t first = 0;
    if (!trail.empty()) {
      first = trail.back();
      trail.pop_back();
    }
    if (a.is_object() && b.is_object()) {
      // The API server writes both objects' keys in the same order: try the member
      // at the same position before searching.
      auto old_members = a.members(), new_members = b.members();
      auto counterpart = [](std::span<const json::Member> in, const json::Value& whole, std::size_t i,
                            std::string_view key) -> const json::Value* {
        if (i < in.size() && same_text(in[i].key, key)) return &in[i].value;
        return whole.find(key);
      };
      for (std::size_t i = first; i < new_members.size(); ++i) {
        const json::Member& m = new_members[i];
        const json::Value* old_member = counterpart(old_members, a, i, m.key);
        push_key(m.key);
        diff(old_member ? *old_member : json::Value{}, m.value);
        pop();
      }
      for (std::size_t i = first; i < old_members.size(); ++i) {
        const json::Member& m = old_members[i];
        if (counterpart(new_members, b, i, m.key)) continue;
        push_key(m.key);
        diff(m.value, json::Value{});
        pop();
      }
      return;
    }
    if (a.is_array() && b.is_array()) {
      auto old_items = a.items(), new_items = b.items();
      std::size_t n = std::max(old_items.size(), new_items.size());
      for (std::size_t i = first; i < n; ++i) {
        push_index(i);
        diff(i < old_items.size() ? old_items[i] : json::Value{}, i < new_items.size() ? new_items[i] : json::Value{});
        pop();
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
  Differ differ(ignore, out);
  differ.diff(old_value, new_value);
  // A leaf can be reported by both sides of a replaced container; keep the first.
  std::vector<std::string> unique;
  unique.reserve(out.size());
  for (auto& p : out)
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  return unique;
}

}  // namespace driftgate::engine
