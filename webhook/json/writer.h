#pragma once
// json::Writer: builds compact JSON text member by member, with the commas and
// the string escaping in one place. Every string goes through json::write_string
// (json/value.h): RFC 8259 escapes, control characters as \u00XX, invalid UTF-8
// replaced by U+FFFD, so whatever driftgate writes is valid JSON whatever the
// input held. A Writer is a value (copyable, movable); it holds its text.
//
//   json::Writer w;
//   w.begin_object().field("type", "drift").field("line", 12).key("paths").begin_array();
//   for (auto& p : paths) w.string(p);
//   w.end_array().end_object();
//   out << w.text();
//
// Misuse (a value where a key is due, an unbalanced end) is a programming error,
// caught by assertions in debug builds.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace driftgate::json {

class Writer {
 public:
  Writer() = default;

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  // The key of the next value (inside an object).
  Writer& key(std::string_view k);

  Writer& string(std::string_view s);
  Writer& boolean(bool b);
  Writer& null();
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Writer& integer(T i) {
    return integer_text(std::to_string(i));
  }
  Writer& number(double d);
  Writer& value(const Value& v);
  // One whole value that json::write or another Writer already serialised,
  // inserted as it is: a patch value compiled at load (policy/rules/mutate.cc),
  // a member serialised once and written twice (admission/object_review.cc).
  // Never text put together by hand: that is what this class replaces.
  Writer& raw(std::string_view json_text);

  // key + value in one call.
  Writer& field(std::string_view k, std::string_view s) { return key(k).string(s); }
  Writer& field(std::string_view k, const std::string& s) { return key(k).string(s); }
  Writer& field(std::string_view k, const char* s) { return key(k).string(s); }
  Writer& field(std::string_view k, bool b) { return key(k).boolean(b); }
  Writer& field(std::string_view k, std::nullptr_t) { return key(k).null(); }
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Writer& field(std::string_view k, T i) {
    return key(k).integer(i);
  }
  Writer& field(std::string_view k, const Value& v) { return key(k).value(v); }
  // A string field, or null when `s` is empty.
  Writer& field_or_null(std::string_view k, std::string_view s) { return s.empty() ? field(k, nullptr) : field(k, s); }
  // An array of strings.
  template <typename Range>
  Writer& strings(std::string_view k, const Range& items) {
    key(k).begin_array();
    for (const auto& item : items) string(item);
    return end_array();
  }

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }
  // Whether every object and array begun was ended.
  bool complete() const { return open_.empty() && !out_.empty(); }

 private:
  void before_value();
  Writer& integer_text(const std::string& digits);

  std::string out_;
  // One entry per open container: whether it holds a value yet ('o'/'a'
  // empty, 'O'/'A' not), so the next value knows to write a comma.
  std::vector<char> open_;
  bool after_key_ = false;
};

}  // namespace driftgate::json
