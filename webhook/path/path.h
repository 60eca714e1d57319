#pragma once
// The path language of policies: `spec.template.spec.containers[*].image`,
// `metadata.labels["app.kubernetes.io/name"]`, `spec.values.**`, `values|yaml.x`.
// A Path is parsed once at policy load; walking it yields concrete Locations.
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "json/value.h"
#include "util/result.h"

namespace driftgate::path {

struct Segment {
  // KeyGlob: a bracketed key with `*` in it (`["fluxcd.io/*"]`), any key it matches.
  enum class Kind { Key, Index, AnyIndex, AnyKey, Descendants, Yaml, KeyGlob };
  Kind kind;
  std::string key;         // Key
  std::size_t index = 0;   // Index
  std::vector<std::string> glob = {};  // KeyGlob: the literal runs between the `*`s
  friend bool operator==(const Segment&, const Segment&) = default;
  bool matches_key(std::string_view k) const;  // Key or KeyGlob
};

struct ParseLimits {
  std::size_t max_segments = 64;
  std::size_t max_length = 1024;
};

class Path {
 public:
  Path() = default;  // the root
  static Result<Path> parse(std::string_view text, const ParseLimits& limits = {});

  const std::vector<Segment>& segments() const { return segments_; }
  bool is_root() const { return segments_.empty(); }
  // True when walking may reach more than one node (`[*]`, `*`, `**`, a key glob).
  bool has_wildcard() const;
  // The path as written, normalised.
  std::string str() const;

  // This path followed by another (the `at` + `fields` of exclusive).
  Path join(const Path& rest) const;
  // Whether walking this path could visit the node at `keys` (object keys from
  // the root), something inside it, or an ancestor whose value contains it.
  bool may_touch(std::span<const std::string_view> keys) const;

  // The part before the first wildcard (the whole path when it has none).
  Path head() const;
  // Splits at the last wildcard: {prefix up to and including it, the rest}.
  std::pair<Path, Path> split_at_last_wildcard() const;

 private:
  explicit Path(std::vector<Segment> s) : segments_(std::move(s)) {}
  std::vector<Segment> segments_;
};

// A concrete place in a document: keys, indices and `|yaml` steps only.
class Location {
 public:
  struct Step {
    enum class Kind { Key, Index, Yaml } kind;
    std::string_view key;  // borrowed from the document (or the Path) it came from
    std::size_t index = 0;
  };

  void push_key(std::string_view key) { steps_.push_back({Step::Kind::Key, key, 0}); }
  void push_index(std::size_t i) { steps_.push_back({Step::Kind::Index, {}, i}); }
  void push_yaml() { steps_.push_back({Step::Kind::Yaml, {}, 0}); }
  void pop() { steps_.pop_back(); }
  const std::vector<Step>& steps() const { return steps_; }
  bool empty() const { return steps_.empty(); }

  // `spec.template.spec.containers[1].image`, `metadata.labels["a/b"]`.
  std::string str() const;
  // RFC 6901 JSON Pointer (`/metadata/labels/a~1b`); `|yaml` steps have no pointer form.
  std::string json_pointer() const;

 private:
  std::vector<Step> steps_;
};

// Appends `key` to `out` the way paths print it: bare when it is an identifier-like
// word, otherwise `["..."]`.
void append_key(std::string& out, std::string_view key, bool first);

// `at` followed by `rest`, as paths print: spec.containers[1] + resources.limits.
std::string str(const Location& at, const Path& rest);

// Whether a concrete location lies at or below what the pattern names, e.g. the
// pattern `metadata.annotations` covers `metadata.annotations["x"]`.
bool covers(const Path& pattern, const Location& location);

// Strings parsed by `|yaml` during one evaluation, kept so each string is parsed once.
class Scratch {
 public:
  // The parsed document for a string value, or nullptr when it is not valid YAML.
  const json::Value* yaml(const json::Value& string_value);
  json::Arena& arena() { return arena_; }

 private:
  json::Arena arena_;
  std::unordered_map<const char*, const json::Value*> parsed_;
};

using Visitor = std::function<void(const Location&, const json::Value&)>;

// Calls `visit` for every node the path reaches from `root`, with its location.
// JSON null counts as not reached. `base` is prepended to every location.
void walk(const Path& path, const json::Value& root, Scratch& scratch, const Visitor& visit,
          const Location& base = {});

// The node at a concrete location, or nullptr.
const json::Value* lookup(const json::Value& root, const Location& location, Scratch& scratch);

}  // namespace driftgate::path
