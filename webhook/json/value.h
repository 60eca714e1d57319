#pragma once
// An immutable JSON value whose nodes live in an Arena. Admission reviews, YAML
// documents and policy literals are all read into this one type, so the engine
// walks a single representation and knows nothing of the parsers behind it.
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>

#include "util/same_text.h"

namespace driftgate::json {

class Value;
struct Member;

// Bump allocator owning every node and string of a document. Nodes are trivially
// destructible, so freeing the arena frees the document in one step.
class Arena {
 public:
  Arena() = default;
  explicit Arena(std::size_t initial_bytes) : resource_(initial_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  template <typename T>
  T* allocate(std::size_t count) {
    if (count == 0) return nullptr;
    return static_cast<T*>(resource_.allocate(sizeof(T) * count, alignof(T)));
  }
  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    char* out = allocate<char>(text.size());
    std::memcpy(out, text.data(), text.size());
    return {out, text.size()};
  }

 private:
  std::pmr::monotonic_buffer_resource resource_{4096};
};

enum class Type : std::uint8_t { Null, Bool, Integer, Double, String, Array, Object };

class Value {
 public:
  constexpr Value() = default;  // null

  static Value boolean(bool b) { Value v(Type::Bool); v.u_.b = b; return v; }
  static Value integer(std::int64_t i) { Value v(Type::Integer); v.u_.i = i; return v; }
  static Value number(double d) { Value v(Type::Double); v.u_.d = d; return v; }
  // The views must outlive the value: pass arena-owned or static storage.
  static Value string(std::string_view s) {
    Value v(Type::String); v.u_.s = s.data(); v.size_ = static_cast<std::uint32_t>(s.size()); return v;
  }
  static Value array(std::span<const Value> items) {
    Value v(Type::Array); v.u_.items = items.data(); v.size_ = static_cast<std::uint32_t>(items.size()); return v;
  }
  static Value object(std::span<const Member> members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Integer || type_ == Type::Double; }
  bool is_integer() const { return type_ == Type::Integer; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }
  // JSON null counts as "not set" everywhere in the policy language.
  bool is_set() const { return type_ != Type::Null; }

  bool as_bool() const { return u_.b; }
  std::int64_t as_integer() const { return u_.i; }
  double as_double() const { return type_ == Type::Integer ? static_cast<double>(u_.i) : u_.d; }
  std::string_view as_string() const { return {u_.s, size_}; }
  std::span<const Value> items() const;
  std::span<const Member> members() const;
  std::size_t size() const { return size_; }

  // Object member lookup (linear: Kubernetes objects have few keys per level).
  // Returns nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const;
  // A string member, or "" when absent or not a string.
  std::string_view string_at(std::string_view key) const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  explicit constexpr Value(Type t) : type_(t) {}
  Type type_ = Type::Null;
  std::uint32_t size_ = 0;
  union Payload {
    bool b;
    std::int64_t i;
    double d;
    const char* s;
    const Value* items;
    const Member* members;
  } u_{.i = 0};
};

struct Member {
  std::string_view key;
  Value value;
};

inline Value Value::object(std::span<const Member> members) {
  Value v(Type::Object); v.u_.members = members.data(); v.size_ = static_cast<std::uint32_t>(members.size()); return v;
}
inline std::span<const Value> Value::items() const {
  if (type_ != Type::Array) return {};
  return {u_.items, size_};
}
inline std::span<const Member> Value::members() const {
  if (type_ != Type::Object) return {};
  return {u_.members, size_};
}
inline const Value* Value::find(std::string_view key) const {
  for (const Member& m : members())
    if (same_text(m.key, key)) return &m.value;
  return nullptr;
}
inline std::string_view Value::string_at(std::string_view key) const {
  const Value* v = find(key);
  return v && v->is_string() ? v->as_string() : std::string_view{};
}

// A value together with the arena that owns it. Movable; the root stays valid
// across moves because the arena is heap-held.
struct Document {
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  Value root;
  // Other storage the root's strings point into, kept alive with the document
  // (the JSON parser's string buffer: see json::parse).
  std::shared_ptr<const void> strings;
};

// Deep copy into another arena (used to keep policy literals and test fixtures).
Value clone(const Value& v, Arena& arena);

// Serialises compact JSON. Strings are escaped per RFC 8259; invalid UTF-8 is
// replaced by U+FFFD so the output is always valid JSON.
void write(const Value& v, std::string& out);
std::string to_string(const Value& v);
void write_string(std::string_view s, std::string& out);  // quoted and escaped

}  // namespace driftgate::json
