#include "scan/managed_fields.h"

#include "json/parse.h"

namespace driftgate::scan {
namespace {

bool is_bare(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// `users-api`, `80`, `"a b"`: a key value as a selector shows it.
std::string selector_value(const json::Value& v) {
  if (v.is_string() && is_bare(v.as_string())) return std::string(v.as_string());
  return json::to_string(v);
}

void append_index(std::string& out, std::size_t index) {
  out += '[';
  out += std::to_string(index);
  out += ']';
}

class Decoder {
 public:
  Decoder(const DecodeLimits& limits, std::vector<FieldPath>& out) : limits_(limits), out_(out) {}

  // `set` is a fieldsV1 node; `live` the matching node of the object, or null.
  std::optional<std::string> node(const json::Value& set, const json::Value* live, std::size_t depth) {
    if (!set.is_object()) return fail("expected an object");
    if (depth > limits_.max_depth)
      return fail("nested deeper than the limit of " + std::to_string(limits_.max_depth));
    bool has_children = false;
    for (const json::Member& m : set.members()) {
      if (m.key == ".") {
        if (!m.value.is_object() || m.value.size() != 0) return fail("\".\" must be {}");
        continue;
      }
      has_children = true;
      trail_.push_back(m.key);
      FieldStep step;
      const json::Value* child = nullptr;
      if (auto err = element(m.key, live, step, child)) return err;
      path_.steps.push_back(std::move(step));
      if (auto err = node(m.value, child, depth + 1)) return err;
      path_.steps.pop_back();
      trail_.pop_back();
    }
    // The root with no elements owns nothing; any other childless node is a leaf.
    if (!has_children && !path_.steps.empty()) out_.push_back(path_);
    return std::nullopt;
  }

 private:
  std::string fail(const std::string& what) const {
    if (trail_.empty()) return what;
    std::string at;
    for (std::string_view key : trail_) {
      if (!at.empty()) at += '/';
      at += key;
    }
    return what + " at " + at;
  }

  static const json::Value* item(const json::Value* live, std::size_t index) {
    if (!live) return nullptr;
    auto items = live->items();
    return index < items.size() ? &items[index] : nullptr;
  }

  // Decodes one path element into `step`, and finds the node it names in `live`.
  std::optional<std::string> element(std::string_view key, const json::Value* live, FieldStep& step,
                                     const json::Value*& child) {
    if (key.size() < 2 || key[1] != ':') return fail("unknown path element (expected f:, k:, v:, i: or .)");
    std::string_view rest = key.substr(2);
    switch (key[0]) {
      case 'f':
        if (rest.empty()) return fail("empty field name");
        step = {FieldStep::Kind::Field, std::string(rest), 0, true};
        child = live ? live->find(rest) : nullptr;
        return std::nullopt;
      case 'i': {
        if (rest.empty() || rest.size() > 9) return fail("invalid list index");
        std::size_t index = 0;
        for (char c : rest) {
          if (c < '0' || c > '9') return fail("invalid list index");
          index = index * 10 + static_cast<std::size_t>(c - '0');
        }
        step = {FieldStep::Kind::Index, {}, index, true};
        child = item(live, index);
        return std::nullopt;
      }
      case 'k':
      case 'v': {
        // The text after the prefix is JSON: parsing it unescapes it (`\"`, `\u002f`).
        auto parsed = json::parse(rest, {.max_depth = 32});
        if (!parsed) return fail(std::string(key[0] == 'k' ? "list key" : "set value") + " is not JSON");
        const json::Value& value = parsed->root;
        step.resolved = false;
        step.index = 0;
        if (key[0] == 'k') {
          if (!value.is_object() || value.size() == 0) return fail("a list key must be a non-empty JSON object");
          step.kind = FieldStep::Kind::Key;
          for (const json::Member& k : value.members()) {
            if (!step.text.empty()) step.text += ',';
            step.text += k.key;
            step.text += '=';
            step.text += selector_value(k.value);
          }
        } else {
          step.kind = FieldStep::Kind::Value;
          step.text = json::to_string(value);
        }
        child = nullptr;
        auto items = live ? live->items() : std::span<const json::Value>{};
        for (std::size_t i = 0; i < items.size(); ++i) {
          if (!matches(step.kind, value, items[i])) continue;
          step.index = i;
          step.resolved = true;
          child = &items[i];
          break;
        }
        return std::nullopt;
      }
      default: return fail("unknown path element (expected f:, k:, v:, i: or .)");
    }
  }

  static bool matches(FieldStep::Kind kind, const json::Value& wanted, const json::Value& entry) {
    if (kind == FieldStep::Kind::Value) return entry == wanted;
    if (!entry.is_object()) return false;
    for (const json::Member& k : wanted.members()) {
      const json::Value* v = entry.find(k.key);
      if (!v || !(*v == k.value)) return false;
    }
    return true;
  }

  const DecodeLimits& limits_;
  std::vector<FieldPath>& out_;
  FieldPath path_;
  std::vector<std::string_view> trail_;
};

}  // namespace

bool FieldPath::resolved() const {
  for (const FieldStep& s : steps)
    if (!s.resolved) return false;
  return true;
}

std::string FieldPath::str() const {
  std::string out;
  bool first = true;
  for (const FieldStep& s : steps) {
    switch (s.kind) {
      case FieldStep::Kind::Field: path::append_key(out, s.text, first); break;
      case FieldStep::Kind::Index: append_index(out, s.index); break;
      case FieldStep::Kind::Key:
      case FieldStep::Kind::Value:
        if (s.resolved) {
          append_index(out, s.index);
        } else {
          out += '[';
          if (s.kind == FieldStep::Kind::Value) out += '=';
          out += s.text;
          out += ']';
        }
        break;
    }
    first = false;
  }
  return out;
}

path::Location FieldPath::location() const {
  path::Location out;
  for (const FieldStep& s : steps) {
    if (s.kind == FieldStep::Kind::Field) out.push_key(s.text);
    else out.push_index(s.resolved ? s.index : kUnresolvedIndex);
  }
  return out;
}

bool FieldPath::within(const FieldPath& other) const {
  if (other.steps.size() > steps.size()) return false;
  for (std::size_t i = 0; i < other.steps.size(); ++i) {
    const FieldStep& a = steps[i];
    const FieldStep& b = other.steps[i];
    if (a.kind != b.kind) return false;
    // The same entry: equal selectors (or indices), whether or not it was found.
    bool same = a.kind == FieldStep::Kind::Field || a.kind == FieldStep::Kind::Key || a.kind == FieldStep::Kind::Value
                    ? a.text == b.text
                    : a.index == b.index;
    if (!same) return false;
  }
  return true;
}

Result<std::vector<FieldPath>> decode_fields_v1(const json::Value& fields_v1, const json::Value& object,
                                                const DecodeLimits& limits) {
  std::vector<FieldPath> out;
  Decoder decoder(limits, out);
  if (auto err = decoder.node(fields_v1, object.is_set() ? &object : nullptr, 0)) return Error{*err};
  return out;
}

std::string object_name(const json::Value& object) {
  std::string out(object.string_at("kind"));
  if (out.empty()) out = "object";
  const json::Value* metadata = object.find("metadata");
  std::string_view ns = metadata ? metadata->string_at("namespace") : std::string_view{};
  std::string_view name = metadata ? metadata->string_at("name") : std::string_view{};
  out += ' ';
  if (!ns.empty()) {
    out += ns;
    out += '/';
  }
  out += name.empty() ? std::string_view("(no name)") : name;
  return out;
}

Result<std::vector<ManagedFieldsEntry>> read_managed_fields(const json::Value& object, const DecodeLimits& limits) {
  std::vector<ManagedFieldsEntry> out;
  const json::Value* metadata = object.find("metadata");
  const json::Value* managed = metadata ? metadata->find("managedFields") : nullptr;
  if (!managed || managed->is_null()) return out;
  if (!managed->is_array()) return Error{object_name(object) + ": metadata.managedFields is not a list"};
  auto entries = managed->items();
  out.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json::Value& e = entries[i];
    std::string where = object_name(object) + ": metadata.managedFields[" + std::to_string(i) + "]";
    if (!e.is_object()) return Error{where + " is not an object"};
    ManagedFieldsEntry entry;
    entry.manager = std::string(e.string_at("manager"));
    {
      std::string quoted;
      json::write_string(entry.manager, quoted);
      where += " (manager " + quoted + ")";
    }
    auto string_member = [&](std::string_view key, std::string& into) -> std::optional<std::string> {
      const json::Value* v = e.find(key);
      if (!v || v->is_null()) return std::nullopt;
      if (!v->is_string()) return where + ": " + std::string(key) + " is not a string";
      into = std::string(v->as_string());
      return std::nullopt;
    };
    std::string fields_type, time;
    for (auto [key, into] : {std::pair<std::string_view, std::string*>{"manager", &entry.manager},
                             {"operation", &entry.operation},
                             {"subresource", &entry.subresource},
                             {"apiVersion", &entry.api_version},
                             {"fieldsType", &fields_type},
                             {"time", &time}})
      if (auto err = string_member(key, *into)) return Error{*err};
    if (entry.operation != "Apply" && entry.operation != "Update")
      return Error{where + ": operation must be Apply or Update, not \"" + entry.operation + "\""};
    if (!time.empty()) {
      entry.time = parse_rfc3339(time);
      if (!entry.time) return Error{where + ": time \"" + time + "\" is not an RFC 3339 timestamp"};
    }
    const json::Value* fields = e.find("fieldsV1");
    if (fields && fields->is_set()) {
      if (fields_type != "FieldsV1")
        return Error{where + ": fieldsType must be FieldsV1, not \"" + fields_type + "\""};
      auto decoded = decode_fields_v1(*fields, object, limits);
      if (!decoded) return Error{where + ": fieldsV1: " + decoded.error()};
      entry.fields = std::move(*decoded);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace driftgate::scan
