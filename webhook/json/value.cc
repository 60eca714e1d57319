#include "json/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "util/utf8.h"

namespace driftgate::json {

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_integer() && b.is_integer()) return a.as_integer() == b.as_integer();
    // NaN (YAML's .nan) equals NaN here: a document equals itself, so an
    // unchanged `.nan` is not a change (found by tests/fuzz/yaml_value_fuzz).
    double x = a.as_double(), y = b.as_double();
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Type::Null: return true;
    case Type::Bool: return a.as_bool() == b.as_bool();
    case Type::String: return same_text(a.as_string(), b.as_string());
    case Type::Array: {
      if (a.size_ != b.size_) return false;
      for (std::size_t i = 0; i < a.size_; ++i)
        if (!(a.u_.items[i] == b.u_.items[i])) return false;
      return true;
    }
    case Type::Object: {
      // Key order carries no meaning in JSON objects. A repeated key counts once,
      // with its first value, as find() reads it (found by tests/fuzz/json_fuzz:
      // {"a":1,"a":2} was not equal to itself).
      std::size_t set_a = 0, set_b = 0;
      for (const Member& m : a.members()) {
        if (!m.value.is_set() || a.find(m.key) != &m.value) continue;
        ++set_a;
        const Value* other = b.find(m.key);
        if (!other || !(m.value == *other)) return false;
      }
      for (const Member& m : b.members()) set_b += m.value.is_set() && b.find(m.key) == &m.value;
      return set_a == set_b;
    }
    default: return false;
  }
}

Value clone(const Value& v, Arena& arena) {
  switch (v.type()) {
    case Type::String: return Value::string(arena.copy(v.as_string()));
    case Type::Array: {
      auto items = v.items();
      Value* out = arena.allocate<Value>(items.size());
      for (std::size_t i = 0; i < items.size(); ++i) new (&out[i]) Value(clone(items[i], arena));
      return Value::array({out, items.size()});
    }
    case Type::Object: {
      auto members = v.members();
      Member* out = arena.allocate<Member>(members.size());
      for (std::size_t i = 0; i < members.size(); ++i)
        new (&out[i]) Member{arena.copy(members[i].key), clone(members[i].value, arena)};
      return Value::object({out, members.size()});
    }
    default: return v;
  }
}

namespace {
// Whether any of 8 bytes needs escaping or a UTF-8 check: below 0x20, '"', '\\',
// or 0x80 and above. Exact for "any", as the bit tricks it is made of (a byte
// below n: (w - n*ones) & ~w & high, exact for n <= 128; a byte equal to c: a
// zero byte of w ^ c*ones). Eight bytes per step: `driftgate scan` writes every
// stored object into a review, and this scan was its hottest loop (docs/scan.md).
bool any_special(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  const auto zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & high; };
  const std::uint64_t control = (w - ones * 0x20) & ~w & high;
  return (control | zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\')) | (w & high)) != 0;
}
}  // namespace

void write_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Most text needs no escaping: append runs of it at once.
    std::size_t run = i;
    for (std::uint64_t w; run + 8 <= s.size(); run += 8) {
      std::memcpy(&w, s.data() + run, 8);
      if (any_special(w)) break;
    }
    while (run < s.size() && static_cast<unsigned char>(s[run]) >= 0x20 && static_cast<unsigned char>(s[run]) < 0x80 &&
           s[run] != '"' && s[run] != '\\')
      ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void write(const Value& v, std::string& out) {
  switch (v.type()) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += v.as_bool() ? "true" : "false"; break;
    case Type::Integer: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_integer());
      out.append(buf, end);
      break;
    }
    case Type::Double: {
      double d = v.as_double();
      if (!std::isfinite(d)) { out += "null"; break; }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, end);
      // A whole double beyond the int64 range prints as digits only (2^64 is
      // "18446744073709551616"), which simdjson refuses as an integer too large:
      // mark it as a double (found by tests/fuzz/json_fuzz).
      if (std::fabs(d) >= 9.2e18 && std::string_view(buf, end - buf).find_first_of(".e") == std::string_view::npos)
        out += ".0";
      break;
    }
    case Type::String: write_string(v.as_string(), out); break;
    case Type::Array: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        write(item, out);
      }
      out.push_back(']');
      break;
    }
    case Type::Object: {
      out.push_back('{');
      bool first = true;
      for (const Member& m : v.members()) {
        if (!first) out.push_back(',');
        first = false;
        write_string(m.key, out);
        out.push_back(':');
        write(m.value, out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string to_string(const Value& v) {
  std::string out;
  write(v, out);
  return out;
}

}  // namespace driftgate::json
