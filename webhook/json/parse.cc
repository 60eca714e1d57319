#include "json/parse.h"

#include <simdjson.h>

#include <string>

namespace driftgate::json {
namespace {

Value convert(simdjson::dom::element element, Arena& arena) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::NULL_VALUE: return Value{};
    case element_type::BOOL: return Value::boolean(element.get_bool().value_unsafe());
    case element_type::INT64: return Value::integer(element.get_int64().value_unsafe());
    case element_type::UINT64: return Value::number(static_cast<double>(element.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return Value::number(element.get_double().value_unsafe());
    case element_type::STRING: return Value::string(arena.copy(element.get_string().value_unsafe()));
    case element_type::ARRAY: {
      simdjson::dom::array array = element.get_array().value_unsafe();
      std::size_t n = array.size();
      Value* items = arena.allocate<Value>(n);
      std::size_t i = 0;
      for (simdjson::dom::element item : array) new (&items[i++]) Value(convert(item, arena));
      return Value::array({items, i});
    }
    case element_type::OBJECT: {
      simdjson::dom::object object = element.get_object().value_unsafe();
      std::size_t n = object.size();
      Member* members = arena.allocate<Member>(n);
      std::size_t i = 0;
      for (auto field : object) new (&members[i++]) Member{arena.copy(field.key), convert(field.value, arena)};
      return Value::object({members, i});
    }
  }
  return Value{};
}

}  // namespace

Result<Document> parse(std::string_view text, const ParseLimits& limits) {
  // One parser per thread: it keeps its buffers between requests.
  thread_local simdjson::dom::parser parser;
  if (parser.max_depth() != limits.max_depth) {
    if (parser.allocate(std::max<std::size_t>(parser.capacity(), 4096), limits.max_depth) != simdjson::SUCCESS)
      return Error{"out of memory preparing the JSON parser"};
  }
  simdjson::dom::element root;
  auto error = parser.parse(text.data(), text.size(), true).get(root);
  if (error == simdjson::DEPTH_ERROR)
    return Error{"JSON nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels"};
  if (error == simdjson::EMPTY) return Error{"the body is empty, expected a JSON document"};
  if (error) return Error{std::string("malformed JSON: ") + simdjson::error_message(error)};
  Document doc;
  doc.arena = std::make_unique<Arena>(text.size() * 2 + 1024);
  doc.root = convert(root, *doc.arena);
  return doc;
}

}  // namespace driftgate::json
