#include "json/yaml_writer.h"

#include <array>
#include <string_view>

namespace driftgate::json {
namespace {

// A plain scalar only when it cannot be anything but this string: a letter first,
// then letters, digits and - _ . / (no ': ', no '#', no spaces), and not one of
// the words YAML 1.1 or 1.2 reads as a boolean or null.
bool plain_safe(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '/';
    if (!ok) return false;
  }
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  static constexpr std::array<std::string_view, 11> kWords{"true", "false", "null", "yes", "no", "on",
                                                            "off",  "y",     "n",    "nan", "inf"};
  for (std::string_view w : kWords)
    if (lower == w) return false;
  return true;
}

void scalar(std::string_view s, std::string& out) {
  if (plain_safe(s)) out.append(s);
  else write_string(s, out);
}

bool is_empty_container(const Value& v) { return (v.is_object() || v.is_array()) && v.size() == 0; }

void write_block(const Value& v, std::size_t indent, std::string& out);

// After "key:" or "- ": a scalar or an empty container on the same line, else a
// new line and the block below.
void write_after(const Value& v, std::size_t indent, std::string& out) {
  if (v.is_string()) {
    out.push_back(' ');
    scalar(v.as_string(), out);
    out.push_back('\n');
  } else if (is_empty_container(v)) {
    out += v.is_object() ? " {}\n" : " []\n";
  } else if (v.is_object() || v.is_array()) {
    out.push_back('\n');
    write_block(v, indent, out);
  } else {
    out.push_back(' ');
    write(v, out);  // null, booleans and numbers as JSON writes them: the same in YAML
    out.push_back('\n');
  }
}

void write_block(const Value& v, std::size_t indent, std::string& out) {
  if (v.is_object()) {
    for (const Member& m : v.members()) {
      out.append(indent, ' ');
      scalar(m.key, out);
      out.push_back(':');
      // A sequence under a key sits at the key's indentation, as kubectl writes it.
      write_after(m.value, m.value.is_array() ? indent : indent + 2, out);
    }
  } else if (v.is_array()) {
    for (const Value& item : v.items()) {
      out.append(indent, ' ');
      out.push_back('-');
      if (item.is_object() && item.size() > 0) {
        // The first member on the dash's line, the others under it.
        std::string block;
        write_block(item, indent + 2, block);
        out.push_back(' ');
        out.append(block, indent + 2, std::string::npos);
      } else {
        write_after(item, indent + 2, out);
      }
    }
  }
}

}  // namespace

void write_yaml(const Value& v, std::string& out) {
  if (v.is_object() && v.size() > 0) write_block(v, 0, out);
  else if (v.is_array() && v.size() > 0) write_block(v, 0, out);
  else {
    std::string line;
    write_after(v, 0, line);
    out.append(line, 1, std::string::npos);  // without write_after's leading space
  }
}

std::string to_yaml(const Value& v) {
  std::string out;
  write_yaml(v, out);
  return out;
}

}  // namespace driftgate::json
