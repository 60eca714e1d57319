#include "path/path.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "json/yaml.h"

namespace driftgate::path {
namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!is_bare_key_char(c)) return false;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : text_(text), limits_(limits) {}

  std::optional<Error> run(std::vector<Segment>& out) {
    if (text_.empty()) return fail("a path must not be empty");
    if (text_.size() > limits_.max_length)
      return fail("a path is longer than the limit of " + std::to_string(limits_.max_length) + " characters");
    bool expect_name = true;  // at the start and after '.'
    while (pos_ < text_.size()) {
      if (expect_name) {
        if (auto err = name(out)) return *err;
        expect_name = false;
      } else if (peek('.')) {
        ++pos_;
        expect_name = true;
      } else if (peek('[')) {
        if (auto err = bracket(out)) return *err;
      } else if (text_.substr(pos_, 5) == "|yaml") {
        pos_ += 5;
        out.push_back({Segment::Kind::Yaml, {}, 0, {}});
      } else {
        return fail("expected '.', '[' or '|yaml'");
      }
      if (out.size() > limits_.max_segments)
        return fail("a path has more than the limit of " + std::to_string(limits_.max_segments) + " segments");
    }
    if (expect_name) return fail("expected a key after '.'");
    return std::nullopt;
  }

 private:
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  Error fail(const std::string& what) const {
    return Error{"invalid path \"" + std::string(text_) + "\" at character " + std::to_string(pos_ + 1) + ": " + what};
  }

  std::optional<Error> name(std::vector<Segment>& out) {
    if (peek('[')) return bracket(out);
    if (text_.substr(pos_, 2) == "**") {
      pos_ += 2;
      out.push_back({Segment::Kind::Descendants, {}, 0, {}});
      return std::nullopt;
    }
    if (peek('*')) {
      ++pos_;
      out.push_back({Segment::Kind::AnyKey, {}, 0, {}});
      return std::nullopt;
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_bare_key_char(text_[pos_])) ++pos_;
    if (pos_ == start) return fail("expected a key (letters, digits, '_' or '-'; quote others as [\"...\"]), '*' or '**'");
    out.push_back({Segment::Kind::Key, std::string(text_.substr(start, pos_ - start)), 0, {}});
    return std::nullopt;
  }

  std::optional<Error> bracket(std::vector<Segment>& out) {
    ++pos_;  // '['
    if (peek('*')) {
      ++pos_;
      out.push_back({Segment::Kind::AnyIndex, {}, 0, {}});
    } else if (peek('"')) {
      ++pos_;
      // A `*` makes the key a glob over the object's keys; `\*` is a literal `*`.
      std::vector<std::string> runs(1);
      while (true) {
        if (pos_ >= text_.size()) return fail("unterminated quoted key");
        char c = text_[pos_++];
        if (c == '"') break;
        if (c == '*') {
          runs.emplace_back();
          continue;
        }
        if (c == '\\') {
          if (pos_ >= text_.size()) return fail("unterminated escape in quoted key");
          c = text_[pos_];  // not consumed yet, so the error points at the bad escape
          if (c != '"' && c != '\\' && c != '*')
            return fail("only \\\", \\\\ and \\* are escapes in a quoted key");
          ++pos_;
        }
        runs.back().push_back(c);
      }
      if (runs.size() == 1) out.push_back({Segment::Kind::Key, std::move(runs[0]), 0, {}});
      else out.push_back({Segment::Kind::KeyGlob, {}, 0, std::move(runs)});
    } else {
      std::size_t start = pos_;
      std::size_t index = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (index > 100'000'000) return fail("index too large");
        index = index * 10 + static_cast<std::size_t>(text_[pos_] - '0');
        ++pos_;
      }
      if (pos_ == start) return fail("expected an index, '*' or a quoted key after '['");
      out.push_back({Segment::Kind::Index, {}, index, {}});
    }
    if (!peek(']')) return fail("expected ']'");
    ++pos_;
    return std::nullopt;
  }

  std::string_view text_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
};

// `[7]`. Appended piece by piece: `"[" + std::to_string(i) + "]"` trips GCC 12's
// -Wrestrict false positive (the inlined insert at offset 0) at -O2 and above.
void append_index(std::string& out, std::size_t index) {
  out += '[';
  out += std::to_string(index);
  out += ']';
}

// A quoted key of a pattern: `*` inside a literal key is escaped so that the
// printed path reads back as the same path.
void append_quoted(std::string& out, const std::vector<std::string>& runs) {
  out += "[\"";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i) out.push_back('*');
    for (char c : runs[i]) {
      if (c == '"' || c == '\\' || c == '*') out.push_back('\\');
      out.push_back(c);
    }
  }
  out += "\"]";
}

void append_segment(std::string& out, const Segment& s, bool first) {
  switch (s.kind) {
    case Segment::Kind::Key:
      if (s.key.find('*') != std::string::npos) append_quoted(out, {s.key});
      else append_key(out, s.key, first);
      break;
    case Segment::Kind::KeyGlob: append_quoted(out, s.glob); break;
    case Segment::Kind::Index: append_index(out, s.index); break;
    case Segment::Kind::AnyIndex: out += "[*]"; break;
    case Segment::Kind::AnyKey: out += first ? "*" : ".*"; break;
    case Segment::Kind::Descendants: out += first ? "**" : ".**"; break;
    case Segment::Kind::Yaml: out += "|yaml"; break;
  }
}

bool is_wildcard(const Segment& s) {
  return s.kind == Segment::Kind::AnyIndex || s.kind == Segment::Kind::AnyKey || s.kind == Segment::Kind::Descendants ||
         s.kind == Segment::Kind::KeyGlob;
}

// (segment index, node): a state of the walk.
struct StateHash {
  std::size_t operator()(const std::pair<std::size_t, const json::Value*>& s) const {
    return std::hash<const void*>{}(s.second) ^ (s.first * 0x9e3779b97f4a7c15ull);
  }
};

struct Walker {
  const std::vector<Segment>& segments;
  Scratch& scratch;
  const Visitor& visit;
  Location location;
  // With two or more `**`, one node is reached by as many ways as there are
  // splits of its depth among them: `*.**.**.…` over a small document took
  // minutes (path_fuzz). Each (segment, node) state is walked once instead, so
  // the walk is linear in segments x nodes and every location is visited once.
  // Null with fewer `**`, where no state can repeat.
  std::unordered_set<std::pair<std::size_t, const json::Value*>, StateHash>* seen = nullptr;

  void step(std::size_t i, const json::Value& node) {
    if (!node.is_set()) return;
    if (seen && !seen->insert({i, &node}).second) return;
    if (i == segments.size()) {
      visit(location, node);
      return;
    }
    const Segment& s = segments[i];
    switch (s.kind) {
      case Segment::Kind::Key:
        for (const json::Member& m : node.members()) {
          if (m.key != s.key) continue;
          location.push_key(m.key);
          step(i + 1, m.value);
          location.pop();
          break;
        }
        break;
      case Segment::Kind::Index: {
        auto items = node.items();
        if (s.index < items.size()) {
          location.push_index(s.index);
          step(i + 1, items[s.index]);
          location.pop();
        }
        break;
      }
      case Segment::Kind::AnyIndex: {
        auto items = node.items();
        for (std::size_t k = 0; k < items.size(); ++k) {
          location.push_index(k);
          step(i + 1, items[k]);
          location.pop();
        }
        break;
      }
      case Segment::Kind::KeyGlob:
        for (const json::Member& m : node.members()) {
          if (!s.matches_key(m.key)) continue;
          location.push_key(m.key);
          step(i + 1, m.value);
          location.pop();
        }
        break;
      case Segment::Kind::AnyKey:
        for (const json::Member& m : node.members()) {
          location.push_key(m.key);
          step(i + 1, m.value);
          location.pop();
        }
        break;
      case Segment::Kind::Descendants: {
        step(i + 1, node);
        auto items = node.items();
        for (std::size_t k = 0; k < items.size(); ++k) {
          location.push_index(k);
          step(i, items[k]);
          location.pop();
        }
        for (const json::Member& m : node.members()) {
          location.push_key(m.key);
          step(i, m.value);
          location.pop();
        }
        break;
      }
      case Segment::Kind::Yaml: {
        if (!node.is_string()) break;
        if (const json::Value* parsed = scratch.yaml(node)) {
          location.push_yaml();
          step(i + 1, *parsed);
          location.pop();
        }
        break;
      }
    }
  }
};

// Does pattern[p..] cover steps[k..]? With several `**` the same (p, k) is asked
// once per way of splitting the steps between them (exponential in the number of
// `**` when the answer is no), so answers found false are remembered.
struct Coverage {
  const std::vector<Segment>& pattern;
  const std::vector<Location::Step>& steps;
  std::vector<char> known_false;  // (p, k) -> 1; empty with fewer than two `**`

  bool from(std::size_t p, std::size_t k) {
    if (p == pattern.size()) return true;
    char* memo = known_false.empty() ? nullptr : &known_false[p * (steps.size() + 1) + k];
    if (memo && *memo) return false;
    bool covered = step(p, k);
    if (memo && !covered) *memo = 1;
    return covered;
  }

  bool step(std::size_t p, std::size_t k) {
    const Segment& s = pattern[p];
    if (s.kind == Segment::Kind::Descendants) {
      for (std::size_t j = k; j <= steps.size(); ++j)
        if (from(p + 1, j)) return true;
      return false;
    }
    if (k == steps.size()) return false;
    const Location::Step& step = steps[k];
    using SK = Location::Step::Kind;
    bool match = false;
    switch (s.kind) {
      case Segment::Kind::Key: match = step.kind == SK::Key && step.key == s.key; break;
      case Segment::Kind::Index: match = step.kind == SK::Index && step.index == s.index; break;
      case Segment::Kind::AnyIndex: match = step.kind == SK::Index; break;
      case Segment::Kind::AnyKey: match = step.kind == SK::Key; break;
      case Segment::Kind::KeyGlob: match = step.kind == SK::Key && s.matches_key(step.key); break;
      case Segment::Kind::Yaml: match = step.kind == SK::Yaml; break;
      case Segment::Kind::Descendants: break;
    }
    return match && from(p + 1, k + 1);
  }
};

std::size_t descendant_count(const std::vector<Segment>& segments) {
  return static_cast<std::size_t>(std::count_if(segments.begin(), segments.end(), [](const Segment& s) {
    return s.kind == Segment::Kind::Descendants;
  }));
}

}  // namespace

Result<Path> Path::parse(std::string_view text, const ParseLimits& limits) {
  std::vector<Segment> segments;
  Parser parser(text, limits);
  if (auto error = parser.run(segments)) return *error;
  return Path(std::move(segments));
}

bool Path::has_wildcard() const {
  for (const Segment& s : segments_)
    if (is_wildcard(s)) return true;
  return false;
}

std::string Path::str() const {
  std::string out;
  for (std::size_t i = 0; i < segments_.size(); ++i) append_segment(out, segments_[i], i == 0);
  return out;
}

Path Path::join(const Path& rest) const {
  std::vector<Segment> all = segments_;
  all.insert(all.end(), rest.segments_.begin(), rest.segments_.end());
  return Path(std::move(all));
}

bool Path::may_touch(std::span<const std::string_view> keys) const {
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    if (i >= keys.size()) return true;  // continues below the node
    const Segment& s = segments_[i];
    switch (s.kind) {
      case Segment::Kind::Descendants: return true;
      case Segment::Kind::AnyKey: continue;
      case Segment::Kind::KeyGlob:
        if (!s.matches_key(keys[i])) return false;
        continue;
      case Segment::Kind::Key:
        if (s.key != keys[i]) return false;
        continue;
      default: return false;  // indices and |yaml never name an object member
    }
  }
  return true;  // ends at the node or an ancestor
}

Path Path::head() const {
  auto first = std::find_if(segments_.begin(), segments_.end(), [](const Segment& s) { return is_wildcard(s); });
  return Path({segments_.begin(), first});
}

bool Segment::matches_key(std::string_view k) const {
  if (kind == Kind::Key) return k == key;
  if (kind != Kind::KeyGlob || glob.size() < 2) return false;
  const std::string& front = glob.front();
  const std::string& back = glob.back();
  if (k.size() < front.size() + back.size() || !k.starts_with(front) || !k.ends_with(back)) return false;
  std::size_t pos = front.size();
  const std::size_t end = k.size() - back.size();
  for (std::size_t i = 1; i + 1 < glob.size(); ++i) {
    std::size_t found = k.substr(0, end).find(glob[i], pos);
    if (found == std::string_view::npos) return false;
    pos = found + glob[i].size();
  }
  return true;
}

std::pair<Path, Path> Path::split_at_last_wildcard() const {
  std::size_t cut = 0;
  for (std::size_t i = 0; i < segments_.size(); ++i)
    if (is_wildcard(segments_[i])) cut = i + 1;
  return {Path({segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(cut)}),
          Path({segments_.begin() + static_cast<std::ptrdiff_t>(cut), segments_.end()})};
}

void append_key(std::string& out, std::string_view key, bool first) {
  if (is_bare_key(key)) {
    if (!first) out.push_back('.');
    out += key;
    return;
  }
  out += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += "\"]";
}

std::string Location::str() const {
  std::string out;
  bool first = true;
  for (const Step& s : steps_) {
    switch (s.kind) {
      case Step::Kind::Key: append_key(out, s.key, first); break;
      case Step::Kind::Index: append_index(out, s.index); break;
      case Step::Kind::Yaml: out += "|yaml"; break;
    }
    first = false;
  }
  return out;
}

std::string str(const Location& at, const Path& rest) {
  std::string text = at.str();
  if (rest.is_root()) return text;
  std::string tail = rest.str();
  text += (tail.front() == '[' || tail.front() == '|' || text.empty()) ? tail : "." + tail;
  return text;
}

std::string Location::json_pointer() const {
  std::string out;
  for (const Step& s : steps_) {
    out.push_back('/');
    if (s.kind == Step::Kind::Index) {
      out += std::to_string(s.index);
      continue;
    }
    for (char c : s.key) {
      if (c == '~') out += "~0";
      else if (c == '/') out += "~1";
      else out.push_back(c);
    }
  }
  return out;
}

bool covers(const Path& pattern, const Location& location) {
  Coverage coverage{pattern.segments(), location.steps(), {}};
  if (descendant_count(pattern.segments()) >= 2)
    coverage.known_false.assign((pattern.segments().size() + 1) * (location.steps().size() + 1), 0);
  return coverage.from(0, 0);
}

const json::Value* Scratch::yaml(const json::Value& string_value) {
  auto [it, inserted] = parsed_.try_emplace(string_value.as_string().data(), nullptr);
  if (!inserted) return it->second;
  auto parsed = json::parse_yaml_into(string_value.as_string(), arena_);
  if (parsed) {
    auto* slot = arena_.allocate<json::Value>(1);
    new (slot) json::Value(*parsed);
    it->second = slot;
  }
  return it->second;
}

void walk(const Path& path, const json::Value& root, Scratch& scratch, const Visitor& visit, const Location& base) {
  Walker walker{path.segments(), scratch, visit, base};
  std::unordered_set<std::pair<std::size_t, const json::Value*>, StateHash> seen;
  if (descendant_count(path.segments()) >= 2) walker.seen = &seen;
  walker.step(0, root);
}

const json::Value* lookup(const json::Value& root, const Location& location, Scratch& scratch) {
  const json::Value* node = &root;
  for (const Location::Step& s : location.steps()) {
    switch (s.kind) {
      case Location::Step::Kind::Key: node = node->find(s.key); break;
      case Location::Step::Kind::Index: {
        auto items = node->items();
        node = s.index < items.size() ? &items[s.index] : nullptr;
        break;
      }
      case Location::Step::Kind::Yaml: node = node->is_string() ? scratch.yaml(*node) : nullptr; break;
    }
    if (!node || !node->is_set()) return nullptr;
  }
  return node;
}

}  // namespace driftgate::path
