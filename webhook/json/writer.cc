#include "json/writer.h"

#include <cassert>

namespace driftgate::json {

void Writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (open_.empty()) return;
  assert(open_.back() == 'a' || open_.back() == 'A');  // a value in an object needs a key
  if (open_.back() == 'A') out_.push_back(',');
  open_.back() = 'A';
}

Writer& Writer::key(std::string_view k) {
  assert(!open_.empty() && (open_.back() == 'o' || open_.back() == 'O') && !after_key_);
  if (open_.back() == 'O') out_.push_back(',');
  open_.back() = 'O';
  write_string(k, out_);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

Writer& Writer::begin_object() {
  before_value();
  out_.push_back('{');
  open_.push_back('o');
  return *this;
}
Writer& Writer::end_object() {
  assert(!open_.empty() && (open_.back() == 'o' || open_.back() == 'O') && !after_key_);
  open_.pop_back();
  out_.push_back('}');
  return *this;
}
Writer& Writer::begin_array() {
  before_value();
  out_.push_back('[');
  open_.push_back('a');
  return *this;
}
Writer& Writer::end_array() {
  assert(!open_.empty() && (open_.back() == 'a' || open_.back() == 'A'));
  open_.pop_back();
  out_.push_back(']');
  return *this;
}

Writer& Writer::string(std::string_view s) {
  before_value();
  write_string(s, out_);
  return *this;
}
Writer& Writer::boolean(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}
Writer& Writer::null() {
  before_value();
  out_ += "null";
  return *this;
}
Writer& Writer::integer_text(const std::string& digits) {
  before_value();
  out_ += digits;
  return *this;
}
Writer& Writer::number(double d) {
  before_value();
  write(Value::number(d), out_);
  return *this;
}
Writer& Writer::value(const Value& v) {
  before_value();
  write(v, out_);
  return *this;
}
Writer& Writer::raw(std::string_view json_text) {
  before_value();
  out_.append(json_text);
  return *this;
}

}  // namespace driftgate::json
